package dev.msfs.backend.gcs;

import com.google.auth.RequestMetadataCallback;
import com.google.auth.oauth2.GoogleCredentials;
import dev.msfs.backend.BackendException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What authenticates a request to GCS: an API key (MSFS's {@code api_key}, sent as the
 * {@code x-goog-api-key} header so it never appears in a URL), Google's Application Default
 * Credentials through Google's auth library (a service-account JSON file named by
 * {@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's user credentials, the metadata server of
 * GCE and GKE Workload Identity), or nothing, for public buckets. The library caches the access
 * token and refreshes it before it expires; msfs only bounds each wait for it by the request's
 * deadline.
 */
public abstract sealed class GcsAuth {
    /** Read-only access to objects: msfs's GCS backend reads. */
    static final String READ_ONLY_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";

    /** Runs the library's token refreshes (blocking HTTP); virtual threads, so none outlives a need. */
    private static final Executor REFRESHES = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * The API key when one is configured; else the Application Default Credentials, when there are
     * any; else anonymous. A credentials file that {@code GOOGLE_APPLICATION_CREDENTIALS} names but
     * that cannot be used is an error, never a silent fall back to anonymous.
     */
    public static GcsAuth of(String apiKey) throws BackendException {
        if (!apiKey.isEmpty()) {
            return new ApiKey(apiKey);
        }
        try {
            GoogleCredentials c = GoogleCredentials.getApplicationDefault();
            return new Google(c.createScopedRequired() ? c.createScoped(List.of(READ_ONLY_SCOPE)) : c);
        } catch (IOException | RuntimeException e) { // the library throws unchecked exceptions on some malformed files
            String file = System.getenv("GOOGLE_APPLICATION_CREDENTIALS");
            String source = file == null || file.isEmpty() ? "the Application Default Credentials" : "GOOGLE_APPLICATION_CREDENTIALS " + file;
            if (e instanceof IOException && source.startsWith("the")) {
                return new Anonymous(); // none found anywhere
            }
            throw new BackendException(BackendException.Kind.ACCESS_DENIED, source + " cannot be used: "
                    + (e instanceof IOException ? e.getMessage() : "not a credentials file Google's library can read (" + e + ")"));
        }
    }

    /** Adds what authenticates a request to {@code uri}, waiting for a token until {@code deadline} at most. */
    abstract void authorize(HttpRequest.Builder request, URI uri, long deadline) throws BackendException;

    /** For messages and logs: the kind of credentials, never a secret. */
    abstract String describe();

    static final class ApiKey extends GcsAuth {
        private final String key;

        ApiKey(String key) {
            this.key = key;
        }

        @Override
        void authorize(HttpRequest.Builder request, URI uri, long deadline) {
            request.header("x-goog-api-key", key);
        }

        @Override
        String describe() {
            return "API key";
        }
    }

    static final class Anonymous extends GcsAuth {
        @Override
        void authorize(HttpRequest.Builder request, URI uri, long deadline) {
        }

        @Override
        String describe() {
            return "anonymous (no API key and no Application Default Credentials)";
        }
    }

    static final class Google extends GcsAuth {
        private final GoogleCredentials credentials;

        Google(GoogleCredentials credentials) {
            this.credentials = credentials;
        }

        /** The cached token's header at once; while a refresh runs, waits for it until the deadline. */
        @Override
        void authorize(HttpRequest.Builder request, URI uri, long deadline) throws BackendException {
            CompletableFuture<Map<String, List<String>>> metadata = new CompletableFuture<>();
            credentials.getRequestMetadata(uri, REFRESHES, new RequestMetadataCallback() {
                @Override
                public void onSuccess(Map<String, List<String>> m) {
                    metadata.complete(m);
                }

                @Override
                public void onFailure(Throwable t) {
                    metadata.completeExceptionally(t);
                }
            });
            try {
                metadata.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                        .forEach((name, values) -> values.forEach(v -> request.header(name, v)));
            } catch (TimeoutException e) {
                throw new BackendException(BackendException.Kind.TIMEOUT, "no access token from Google's token service in time");
            } catch (ExecutionException e) {
                // Refused credentials are EACCES; a token service that did not answer is worth a retry.
                boolean refused = !(e.getCause() instanceof IOException) || e.getCause() instanceof com.google.auth.Retryable r && !r.isRetryable();
                throw new BackendException(refused ? BackendException.Kind.ACCESS_DENIED : BackendException.Kind.IO,
                        "no access token from Google's token service: " + String.valueOf(e.getCause().getMessage()).replaceAll("\\s*\\n\\s*", " "), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException(BackendException.Kind.IO, "interrupted while waiting for an access token");
            }
        }

        @Override
        String describe() {
            return "Application Default Credentials (" + credentials.getClass().getSimpleName() + ")";
        }
    }
}
