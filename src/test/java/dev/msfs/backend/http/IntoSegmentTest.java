package dev.msfs.backend.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IntoSegmentTest {
    private static HttpResponse.ResponseInfo status(int code) {
        return new HttpResponse.ResponseInfo() {
            @Override
            public int statusCode() {
                return code;
            }

            @Override
            public HttpHeaders headers() {
                return HttpHeaders.of(Map.of(), (a, b) -> true);
            }

            @Override
            public HttpClient.Version version() {
                return HttpClient.Version.HTTP_1_1;
            }
        };
    }

    private static final class Subscription implements Flow.Subscription {
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    @Test
    void bodiesLandInOrderReportArrivalsAndStopAtTheEnd() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(10);
            AtomicLong reached = new AtomicLong();
            HttpResponse.BodySubscriber<Long> body = new IntoSegment(dst, reached::set, i -> i.statusCode() == 206).apply(status(206));
            Subscription subscription = new Subscription();
            body.onSubscribe(subscription);
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 2, 3}), ByteBuffer.wrap(new byte[] {4, 5})));
            assertEquals(5, reached.get());
            assertTrue(!subscription.cancelled.get());
            // Past the line's end (a server that ignored the Range): the body ends with the line full, the rest unread.
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {6, 7, 8, 9, 10, 11, 12})));
            assertEquals(10, body.getBody().toCompletableFuture().get());
            assertTrue(subscription.cancelled.get(), "the rest of the body was still wanted");
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {13})));
            body.onComplete();
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, dst.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void aRejectedResponseNeverTouchesTheLine() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4);
            HttpResponse.BodySubscriber<Long> body = new IntoSegment(dst, b -> { }, i -> i.statusCode() == 206).apply(status(412));
            body.onSubscribe(new Subscription());
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {9, 9, 9, 9})));
            body.onComplete();
            assertEquals(-1, body.getBody().toCompletableFuture().get());
            assertArrayEquals(new byte[4], dst.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    /**
     * The deadline's claim: once abandon returns, no byte of the line changes, though the client's
     * thread goes on delivering. Without the flag checked under the lock that abandon takes, the
     * writer's later buffers would land and this would fail.
     */
    @Test
    void nothingIsWrittenOnceAbandonReturns() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment dst = arena.allocate(64 << 20);
            IntoSegment handler = new IntoSegment(dst, b -> { }, i -> true);
            HttpResponse.BodySubscriber<Long> body = handler.apply(status(206));
            Subscription subscription = new Subscription();
            body.onSubscribe(subscription);
            CountDownLatch writing = new CountDownLatch(1);
            AtomicBoolean stop = new AtomicBoolean();
            Thread client = Thread.ofPlatform().start(() -> {
                byte value = 0;
                while (!stop.get()) {
                    byte[] chunk = new byte[512];
                    java.util.Arrays.fill(chunk, ++value == 0 ? ++value : value);
                    body.onNext(List.of(ByteBuffer.wrap(chunk)));
                    writing.countDown();
                }
            });
            assertTrue(writing.await(10, TimeUnit.SECONDS));
            Thread.sleep(5);
            handler.abandon();
            byte[] atAbandon = dst.toArray(ValueLayout.JAVA_BYTE);
            Thread.sleep(50); // the client thread keeps delivering meanwhile
            stop.set(true);
            client.join();
            assertArrayEquals(atAbandon, dst.toArray(ValueLayout.JAVA_BYTE), "the line changed after abandon returned");
            assertTrue(subscription.cancelled.get(), "the transfer was not cancelled");
            assertThrows(java.util.concurrent.CancellationException.class, () -> body.getBody().toCompletableFuture().get());
            assertTrue(atAbandon[0] != 0 && atAbandon[atAbandon.length - 1] == 0, "the race ran while the line was being filled");
        }
    }

    /** The client may call onNext after onError (from another thread): nothing lands once onError returned. */
    @Test
    void nothingIsWrittenAfterAnError() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4);
            HttpResponse.BodySubscriber<Long> body = new IntoSegment(dst, b -> { }, i -> true).apply(status(206));
            body.onSubscribe(new Subscription());
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {1})));
            body.onError(new java.io.IOException("connection reset"));
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {2, 2, 2})));
            assertArrayEquals(new byte[] {1, 0, 0, 0}, dst.toArray(ValueLayout.JAVA_BYTE));
            assertThrows(java.util.concurrent.ExecutionException.class, () -> body.getBody().toCompletableFuture().get());
        }
    }

    @Test
    void aBodyThatStartsAfterAbandonIsStoppedAtOnce() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(4);
            IntoSegment handler = new IntoSegment(dst, b -> { }, i -> true);
            handler.abandon();
            HttpResponse.BodySubscriber<Long> body = handler.apply(status(206)); // a redirect's next hop, say
            Subscription subscription = new Subscription();
            body.onSubscribe(subscription);
            body.onNext(List.of(ByteBuffer.wrap(new byte[] {1, 1, 1, 1})));
            assertTrue(subscription.cancelled.get());
            assertArrayEquals(new byte[4], dst.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
