package dev.msfs.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The budget's rules, each with a waiter on another thread: it waits while an upload in flight
 * can free room, and only then; it goes on when none is in flight (waiting could never end); and
 * closing the budget ends every wait. No timing is asserted: a waiter is known to wait by its
 * thread's state, and every wait that must end has a generous deadline.
 */
class WriteBudgetTest {
    /** Starts a take of {@code n} on another thread, and returns once that thread waits in it. */
    private static CompletableFuture<Boolean> blockedTake(WriteBudget budget, long n) throws InterruptedException {
        CompletableFuture<Boolean> took = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                took.complete(budget.take(n));
            } catch (InterruptedException e) {
                took.completeExceptionally(e);
            }
        });
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(t.isAlive(), "the taker did not wait");
            Thread.sleep(5);
        }
        assertFalse(took.isDone());
        return took;
    }

    private static void assertHeld(WriteBudget budget, long held, long peak) {
        assertEquals(held, budget.held(), "held");
        assertEquals(peak, budget.peak(), "peak");
    }

    @Test
    void aTakerPastTheLimitWaitsForAnUploadInFlightAndGoesOnWhenItEnds() throws Exception {
        WriteBudget budget = new WriteBudget(100);
        assertTrue(budget.take(80));
        budget.uploadStarted(); // carries 50 of the 80
        CompletableFuture<Boolean> took = blockedTake(budget, 60);
        budget.uploadEnded(50);
        assertTrue(took.get(30, TimeUnit.SECONDS));
        assertHeld(budget, 90, 90);
    }

    @Test
    void withNothingInFlightATakerGoesOnPastTheLimit() throws Exception {
        WriteBudget budget = new WriteBudget(100);
        assertTrue(budget.take(80));
        assertTrue(budget.wouldPass(60));
        assertTrue(budget.take(60)); // on this thread: it would hang here if it waited
        budget.give(140);
        assertHeld(budget, 0, 140);
    }

    @Test
    void closingEndsEveryWaitAndRefusesMore() throws Exception {
        WriteBudget budget = new WriteBudget(10);
        assertTrue(budget.take(10));
        budget.uploadStarted(); // never ends
        CompletableFuture<Boolean> took = blockedTake(budget, 5);
        budget.close();
        assertFalse(took.get(30, TimeUnit.SECONDS), "a waiter took bytes from a closed budget");
        assertFalse(budget.take(1));
        assertEquals(10, budget.held());
    }

    @Test
    void noLimitNeverWaits() throws Exception {
        WriteBudget budget = new WriteBudget(0);
        budget.uploadStarted();
        assertFalse(budget.wouldPass(Long.MAX_VALUE / 2));
        assertTrue(budget.take(1L << 40));
    }
}
