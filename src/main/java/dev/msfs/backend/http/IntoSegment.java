package dev.msfs.backend.http;

import dev.msfs.backend.Arrivals;
import java.lang.foreign.MemorySegment;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.Predicate;

/**
 * A response body copied straight from the JDK client's buffers into a cache line as it arrives,
 * with no heap array in between; the body's value is the number of bytes written. Responses that
 * {@code writes} rejects (an error status, a redirect, another version) are discarded with value
 * -1, so their bytes never touch the line. A body longer than the line (a server that ignored
 * the Range) ends when the line is full: the rest is not waited for.
 * <p>
 * {@link #abandon} is the deadline's side: once it returns, the line is never written again, so
 * the caller may hand the line to someone else even while the client still holds the connection.
 */
public final class IntoSegment implements HttpResponse.BodyHandler<Long> {
    private final MemorySegment dst;
    private final Arrivals arrivals;
    private final Predicate<HttpResponse.ResponseInfo> writes;
    private Body current;        // guarded by this: the body of the latest response (redirects make several)
    private boolean abandoned;   // guarded by this

    public IntoSegment(MemorySegment dst, Arrivals arrivals, Predicate<HttpResponse.ResponseInfo> writes) {
        this.dst = dst;
        this.arrivals = arrivals;
        this.writes = writes;
    }

    @Override
    public HttpResponse.BodySubscriber<Long> apply(HttpResponse.ResponseInfo info) {
        if (!writes.test(info)) {
            return HttpResponse.BodySubscribers.replacing(-1L);
        }
        Body b = new Body();
        synchronized (this) {
            current = b;
            if (abandoned) {
                b.abandon();
            }
        }
        return b;
    }

    /** Stops every write into the line, now and later; the transfer is cancelled. */
    public void abandon() {
        Body b;
        synchronized (this) {
            abandoned = true;
            b = current;
        }
        if (b != null) {
            b.abandon();
        }
    }

    private final class Body implements HttpResponse.BodySubscriber<Long> {
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private Flow.Subscription subscription; // guarded by this
        private long written;                   // guarded by this
        private boolean stopped;                // guarded by this: set once, then the line is not touched

        @Override
        public CompletionStage<Long> getBody() {
            return done;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            boolean stop;
            synchronized (this) {
                subscription = s;
                stop = stopped;
            }
            if (stop) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE); // the copy in onNext is the back pressure
            }
        }

        /**
         * Copies under the lock that {@link #abandon}, onError and onComplete take to stop the body,
         * so no copy runs once any of them has returned (the client may still call onNext after
         * onError, from another thread).
         */
        @Override
        public void onNext(List<ByteBuffer> buffers) {
            Flow.Subscription excess = null;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                for (ByteBuffer b : buffers) {
                    long n = Math.min(b.remaining(), dst.byteSize() - written);
                    if (n > 0) {
                        MemorySegment.copy(MemorySegment.ofBuffer(b), 0, dst, written, n);
                        written += n;
                    }
                    if (b.remaining() > n) { // more than the line holds: the line is full, and the rest is not wanted
                        stopped = true;
                        excess = subscription;
                    }
                }
                arrivals.reached(written);
                if (stopped) {
                    done.complete(written);
                }
            }
            if (excess != null) {
                excess.cancel();
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                stopped = true;
            }
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            synchronized (this) {
                stopped = true;
                done.complete(written);
            }
        }

        void abandon() {
            Flow.Subscription s;
            synchronized (this) {
                stopped = true;
                s = subscription;
            }
            if (s != null) {
                s.cancel();
            }
            done.completeExceptionally(new java.util.concurrent.CancellationException("abandoned at its deadline"));
        }
    }
}
