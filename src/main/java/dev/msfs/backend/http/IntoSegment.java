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
 * -1, so their bytes never touch the line. Bytes past the line's end are dropped.
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

        /** Copies under the lock {@link #abandon} takes, so no copy runs once abandon has returned. */
        @Override
        public void onNext(List<ByteBuffer> buffers) {
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
                }
                arrivals.reached(written);
            }
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public synchronized void onComplete() {
            done.complete(written);
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
