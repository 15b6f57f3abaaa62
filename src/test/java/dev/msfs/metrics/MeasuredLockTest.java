package dev.msfs.metrics;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class MeasuredLockTest {
    @Test
    void outermostHoldsAreCountedAndAHolderIsNamedWithItsStack() throws Exception {
        MeasuredLock lock = new MeasuredLock("cache");
        lock.lock();
        lock.lock(); // reentrant: one hold
        lock.unlock();
        lock.unlock();
        assertTrue(lock.statistics().startsWith("cache  holds 1  avg "), lock.statistics());
        assertNull(lock.heldLongerThan(0), "not held");

        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().name("holder-1").start(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        held.await();
        String hang = lock.heldLongerThan(0);
        assertTrue(hang != null && hang.startsWith("possible hang: cache held for ") && hang.contains(" by holder-1\n")
                && hang.contains("\n    at "), hang); // its stack, wherever the holder is now
        assertNull(lock.heldLongerThan(Long.MAX_VALUE / 2_000_000), "held, but not that long");
        release.countDown();
        holder.join();
        assertNull(lock.heldLongerThan(0));
        assertTrue(lock.statistics().startsWith("cache  holds 2  avg "), lock.statistics());
    }
}
