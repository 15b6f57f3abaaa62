package dev.msfs.backend.http;

import dev.msfs.backend.BackendException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP exchange of the JDK client under one deadline that covers the body too (the client's
 * own request timeout ends at the response headers, so a body that stalls would hang a read),
 * and the mapping of HTTP statuses to errnos shared by the HTTP backends.
 */
public final class Exchange {
    private Exchange() {
    }

    /**
     * Sends {@code request} and waits for the whole response until {@code deadline} (System.nanoTime).
     * Past it, the body is stopped first ({@link #stop}), then the exchange is cancelled, and the
     * read fails with TIMEOUT; {@code timeoutMillis} is for the message. Any other failure stops
     * the body too before it is thrown: the client may still deliver after a failure.
     */
    public static <T> HttpResponse<T> send(HttpClient http, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                           long deadline, long timeoutMillis, String what) throws BackendException {
        CompletableFuture<HttpResponse<T>> f = http.sendAsync(request, handler);
        try {
            return f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            stop(handler);
            f.cancel(true);
            throw timeout(what, timeoutMillis);
        } catch (InterruptedException e) {
            stop(handler);
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.IO, what + ": interrupted");
        } catch (ExecutionException e) {
            stop(handler); // the body's subscriber may still be called after its failure: stop it first
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException || cause instanceof CancellationException) {
                throw timeout(what, timeoutMillis);
            }
            throw new BackendException(BackendException.Kind.IO, what + ": " + (cause instanceof IOException
                    ? cause.toString() : String.valueOf(cause)), cause);
        }
    }

    /** An {@link IntoSegment}'s line is never written again once this returns; other bodies land in the heap. */
    public static void stop(HttpResponse.BodyHandler<?> handler) {
        if (handler instanceof IntoSegment body) {
            body.abandon();
        }
    }

    private static BackendException timeout(String what, long timeoutMillis) {
        return new BackendException(BackendException.Kind.TIMEOUT, what + ": no whole answer within " + timeoutMillis + " ms");
    }

    /** 404 is ENOENT, 401 and 403 EACCES, 412 (a precondition such as the version read) a change, the rest EIO. */
    public static void check(int status, String what) throws BackendException {
        check(status, what, "");
    }

    /** As {@link #check(int, String)}, with what the store said about it, where it said something. */
    public static void check(int status, String what, String said) throws BackendException {
        if (status / 100 == 2) {
            return;
        }
        throw new BackendException(switch (status) {
            case 404 -> BackendException.Kind.NOT_FOUND;
            case 401, 403 -> BackendException.Kind.ACCESS_DENIED;
            case 412 -> BackendException.Kind.CHANGED;
            default -> BackendException.Kind.IO;
        }, what + ": HTTP " + status + (said.isEmpty() ? "" : " (" + said + ")"));
    }
}
