package dev.msfs.metrics;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReentrantLock} that counts its holds and times them (outermost holds only), for the
 * endpoint's /locks, and says who holds it and since when, for /hang: the nearest honest
 * equivalent of MSFS's global-lock statistics, for each of msfs's few locks. Only {@link #lock}
 * and {@link #unlock} are measured; its owners use no other way in.
 */
public final class MeasuredLock extends ReentrantLock {
    private final String name;
    /** System.nanoTime() of the outermost lock() now held, or 0: written by the holder, read by /hang. */
    private volatile long heldSince;
    private final LongAdder holds = new LongAdder();
    private final LongAdder heldNanos = new LongAdder();
    private final AtomicLong maxNanos = new AtomicLong();

    public MeasuredLock(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    @Override
    public void lock() {
        super.lock();
        if (getHoldCount() == 1) {
            heldSince = System.nanoTime();
        }
    }

    @Override
    public void unlock() {
        if (isHeldByCurrentThread() && getHoldCount() == 1) {
            long held = System.nanoTime() - heldSince;
            heldSince = 0;
            holds.increment();
            heldNanos.add(held);
            maxNanos.accumulateAndGet(held, Math::max);
        }
        super.unlock();
    }

    /** "name  holds N  avg X us  max Y us". */
    public String statistics() {
        long n = holds.sum();
        return String.format("%s  holds %d  avg %.1f us  max %.1f us", name, n, n == 0 ? 0.0 : heldNanos.sum() / 1e3 / n,
                maxNanos.get() / 1e3);
    }

    /** Who holds it, since how long, and where that thread is now, if held for at least {@code millis}; else null. */
    public String heldLongerThan(long millis) {
        long since = heldSince;
        Thread holder = getOwner();
        long heldMillis = since == 0 ? 0 : (System.nanoTime() - since) / 1_000_000;
        if (holder == null || since == 0 || heldMillis < millis) {
            return null;
        }
        StringBuilder out = new StringBuilder("possible hang: " + name + " held for " + heldMillis + " ms by " + holder.getName() + "\n");
        for (StackTraceElement frame : holder.getStackTrace()) {
            out.append("    at ").append(frame).append('\n');
        }
        return out.toString();
    }
}
