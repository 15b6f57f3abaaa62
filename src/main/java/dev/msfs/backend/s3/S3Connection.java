package dev.msfs.backend.s3;

import dev.msfs.backend.BackendException;
import dev.msfs.config.TypeSettings;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.crt.CRT;
import software.amazon.awssdk.crt.auth.credentials.CredentialsProvider;
import software.amazon.awssdk.crt.auth.signing.AwsSigningConfig;
import software.amazon.awssdk.crt.auth.credentials.DefaultChainCredentialsProvider;
import software.amazon.awssdk.crt.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.crt.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.crt.http.HttpHeader;
import software.amazon.awssdk.crt.http.HttpRequest;
import software.amazon.awssdk.crt.io.ClientBootstrap;
import software.amazon.awssdk.crt.io.EventLoopGroup;
import software.amazon.awssdk.crt.io.ExponentialBackoffRetryOptions;
import software.amazon.awssdk.crt.io.HostResolver;
import software.amazon.awssdk.crt.io.StandardRetryOptions;
import software.amazon.awssdk.crt.io.TlsContext;
import software.amazon.awssdk.crt.io.TlsContextOptions;
import software.amazon.awssdk.crt.s3.ChecksumConfig;
import software.amazon.awssdk.crt.s3.S3Client;
import software.amazon.awssdk.crt.s3.S3ClientOptions;
import software.amazon.awssdk.crt.s3.S3FinishedResponseContext;
import software.amazon.awssdk.crt.s3.S3MetaRequest;
import software.amazon.awssdk.crt.s3.S3MetaRequestOptions;
import software.amazon.awssdk.crt.s3.S3MetaRequestResponseHandler;

/**
 * One bucket on one S3 endpoint through AWS CRT's S3 client: addressing (path or virtual-hosted
 * style), SigV4 signing, retries with backoff, and a deadline on every request. Error payloads
 * are reduced to S3's error code and message, which never contain the secret.
 */
public final class S3Connection implements AutoCloseable {
    /** Receives the response body in pieces; {@code offset} is the object offset for ranged GETs. */
    @FunctionalInterface
    public interface BodySink {
        void accept(ByteBuffer piece, long offset) throws BackendException;

        /** The response's status and headers (lower-cased names), before any body piece of that response. */
        default void headers(int status, Map<String, String> headers) throws BackendException {
        }
    }

    /** What came back: status and headers (lower-cased names). */
    public record Response(int status, Map<String, String> headers) {
    }

    /**
     * CRT splits a ranged GET into parts of this size, fetched in parallel and handed over in
     * order as each completes, so a reader follows a cache line part by part. Measured through a
     * mount on loopback S3Proxy, 6 cold files each, 2 runs: the first 4 KiB of a cold file took
     * 13-30 ms with 8 MiB parts (one per 8 MiB line), 4.6-10 ms with 2 MiB, 3.1-7.8 ms with
     * 1 MiB, at the same throughput; 2 MiB keeps 4 GETs per 8 MiB line.
     */
    public static final long PART_SIZE = 2L << 20;

    /** CRT's event-loop threads: 0 is one per core. A system property, for measuring the choice (bench/s3-cold-read). */
    private static final int EVENT_LOOP_THREADS = Integer.getInteger("msfs.s3.eventLoopThreads", 0);

    private static final Pattern XML_CODE = Pattern.compile("<Code>([^<]*)</Code>");
    private static final Pattern XML_MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

    private final String bucket;
    private final URI endpoint;
    private final String host;
    /** The endpoint's own path ("" or "/s3", say, for S3 behind a path such as AIStore's): every request goes below it. */
    private final String basePath;
    private final boolean virtualHosted;
    private final long timeoutMillis;
    private final EventLoopGroup eventLoops;
    private final HostResolver resolver;
    private final ClientBootstrap bootstrap;
    private final TlsContext tls;
    private final CredentialsProvider credentials;
    private final S3Client client;

    public S3Connection(TypeSettings.S3 s, String bucket) throws BackendException {
        if (s.useConfigEnv() && dev.msfs.config.AwsConfigFile.read(s.configFile(), s.profile()).isEmpty()) {
            throw new BackendException(BackendException.Kind.IO, "use_config_env is true but " + s.configFile()
                    + " has no profile \"" + s.profile() + "\"");
        }
        this.bucket = bucket;
        this.virtualHosted = s.virtualHostedStyle();
        this.timeoutMillis = s.requestTimeoutMillis();
        URI base = URI.create(s.endpoint().isEmpty() ? "https://s3." + s.region() + ".amazonaws.com" : s.endpoint());
        this.host = (virtualHosted ? bucket + "." : "") + base.getHost() + (base.getPort() > 0 ? ":" + base.getPort() : "");
        this.endpoint = URI.create(base.getScheme() + "://" + host);
        this.basePath = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        try {
            eventLoops = new EventLoopGroup(EVENT_LOOP_THREADS);
            resolver = new HostResolver(eventLoops);
            bootstrap = new ClientBootstrap(eventLoops, resolver);
            tls = base.getScheme().equals("https")
                    ? new TlsContext(TlsContextOptions.createDefaultClient().withVerifyPeer(!s.skipTlsCertificateVerify()))
                    : null;
            credentials = credentials(s, bootstrap, tls);
            long retries = retries(s);
            S3ClientOptions options = new S3ClientOptions().withRegion(s.region()).withClientBootstrap(bootstrap)
                    .withTlsContext(tls).withPartSize(PART_SIZE).withThroughputTargetGbps(10)
                    // A write's commit is one PUT (S3's limit is 5 GiB): no multipart extensions, which some stores lack
                    .withMultipartUploadThreshold(5L << 30)
                    .withConnectTimeoutMs((int) Math.min(timeoutMillis, 10_000))
                    .withStandardRetryOptions(new StandardRetryOptions().withBackoffRetryOptions(
                            new ExponentialBackoffRetryOptions().withEventLoopGroup(eventLoops).withMaxRetries(retries)
                                    .withBackoffScaleFactorMS(Math.max(1, s.retryBaseDelayMillis()))));
            if (credentials != null) {
                options.withSigningConfig(AwsSigningConfig.getDefaultS3SigningConfig(s.region(), credentials));
            }
            client = new S3Client(options);
            // CRT's own JVM shutdown hook frees its native runtime once no one holds a reference, and
            // requests still in flight then never finish; msfs unmounts from a shutdown hook too, so
            // each connection holds a reference until close().
            CRT.acquireShutdownRef();
        } catch (RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, "cannot set up the S3 client: " + e.getMessage(), e);
        }
    }

    /**
     * Sends one request and waits for it, at most the request timeout; the body goes to the
     * request's sink. A cancelled request (deadline, interrupt) is waited for and cut off from the
     * sink before this returns, so no body piece reaches it afterwards.
     */
    public Response send(S3Request req) throws BackendException {
        StringBuilder path = new StringBuilder(basePath).append('/');
        if (!virtualHosted) {
            path.append(bucket).append('/');
        }
        path.append(encode(req.key(), false));
        if (!req.query().isEmpty()) {
            char sep = '?';
            for (Map.Entry<String, String> q : new TreeMap<>(req.query()).entrySet()) {
                path.append(sep).append(encode(q.getKey(), true)).append('=').append(encode(q.getValue(), true));
                sep = '&';
            }
        }
        List<HttpHeader> headers = new ArrayList<>(req.headers());
        headers.add(new HttpHeader("Host", host));
        if (req.body() != null) {
            headers.add(new HttpHeader("Content-Length", Long.toString(req.body().length())));
        }
        Exchange exchange = new Exchange(req.sink());
        S3MetaRequestOptions options = new S3MetaRequestOptions().withMetaRequestType(req.type()).withOperationName(req.operation())
                .withHttpRequest(new HttpRequest(req.method(), path.toString(), headers.toArray(new HttpHeader[0]), req.body()))
                .withResponseHandler(exchange).withEndpoint(endpoint);
        if (req.upload() != null) {
            options.withRequestFilePath(req.upload());
        }
        if (req.verifyChecksum()) {
            options.withChecksumConfig(new ChecksumConfig().withValidateChecksum(true));
        }
        String key = req.key();
        String method = req.method();
        String what = method + " " + (key.isEmpty() ? bucket : bucket + "/" + key);
        S3MetaRequest request;
        try {
            request = client.makeMetaRequest(options);
        } catch (RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": " + e.getMessage(), e);
        }
        try {
            exchange.finished.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cancelAndAwait(request, exchange);
            throw new BackendException(BackendException.Kind.TIMEOUT, what + ": no answer within " + timeoutMillis + " ms");
        } catch (InterruptedException e) {
            cancelAndAwait(request, exchange);
            Thread.currentThread().interrupt();
            throw new BackendException(BackendException.Kind.IO, what + ": interrupted");
        } catch (ExecutionException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": " + e.getCause());
        } finally {
            exchange.cutOff(); // the fetcher rule: no body piece reaches the sink once send has ended
            request.close();
        }
        if (exchange.sinkFailure != null) {
            throw exchange.sinkFailure;
        }
        if (req.body() != null && req.body().failure() != null) {
            throw new BackendException(BackendException.Kind.IO, what + ": cannot read what to send: " + req.body().failure().getMessage());
        }
        S3FinishedResponseContext done = exchange.result;
        int status = done.getResponseStatus() != 0 ? done.getResponseStatus() : exchange.status;
        if (done.getErrorCode() != 0 && status / 100 != 2) {
            throw failure(what, status, done);
        }
        if (done.getErrorCode() != 0) {
            String crtError = CRT.awsErrorName(done.getErrorCode());
            throw new BackendException(BackendException.Kind.IO, what + ": " + crtError, status, crtError, null);
        }
        return new Response(status, exchange.headers);
    }

    /** Sends one request and returns its whole body (a listing, an upload's answer: small XML). */
    public byte[] sendForBody(S3Request req) throws BackendException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        send(req.withSink((piece, offset) -> {
            byte[] bytes = new byte[piece.remaining()];
            piece.get(bytes);
            body.writeBytes(bytes);
        }));
        return body.toByteArray();
    }

    /**
     * Cancels a request and waits (one more timeout at most) for CRT to finish it, so no body
     * piece is still being delivered when the caller's memory is reused; {@link Exchange#cutOff}
     * covers a CRT that never calls back.
     */
    private void cancelAndAwait(S3MetaRequest request, Exchange exchange) {
        request.cancel();
        boolean interrupted = Thread.interrupted();
        try {
            exchange.finished.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
            // cut off by the caller
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Where this connection goes, for logs: endpoint, path and bucket (never a credential). */
    public String describe() {
        return endpoint + basePath + " bucket " + bucket;
    }

    @Override
    public void close() {
        client.close();
        try {
            client.getShutdownCompleteFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // shutting down anyway
        }
        if (credentials != null) {
            credentials.close();
        }
        if (tls != null) {
            tls.close();
        }
        bootstrap.close();
        resolver.close();
        eventLoops.close();
        CRT.releaseShutdownRef();
    }

    private static BackendException failure(String what, int status, S3FinishedResponseContext done) {
        String payload = done.getErrorPayload() == null ? "" : new String(done.getErrorPayload(), StandardCharsets.UTF_8);
        String code = first(XML_CODE, payload);
        String message = first(XML_MESSAGE, payload);
        String detail = what + ": HTTP " + status + (code.isEmpty() ? "" : " " + code) + (message.isEmpty() ? "" : " (" + message + ")");
        if (status == 0) {
            code = CRT.awsErrorName(done.getErrorCode());
            detail = what + ": " + code;
        }
        BackendException.Kind kind = switch (status) {
            case 404 -> BackendException.Kind.NOT_FOUND;
            case 401, 403 -> BackendException.Kind.ACCESS_DENIED;
            case 412 -> BackendException.Kind.CHANGED;
            default -> BackendException.Kind.IO;
        };
        return new BackendException(kind, detail, status, code, null);
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : "";
    }

    private static CredentialsProvider credentials(TypeSettings.S3 s, ClientBootstrap bootstrap, TlsContext tls) {
        if (s.anonymous()) {
            return null;
        }
        if (!s.accessKeyId().isEmpty()) {
            return new StaticCredentialsProvider.StaticCredentialsProviderBuilder()
                    .withAccessKeyId(s.accessKeyId().getBytes(StandardCharsets.UTF_8))
                    .withSecretAccessKey(s.secretAccessKey().getBytes(StandardCharsets.UTF_8)).build();
        }
        if (s.useCredentialsEnv()) {
            return ProfileCredentialsProvider.builder().withClientBootstrap(bootstrap).withTlsContext(tls)
                    .withProfileName(s.profile()).withConfigFileNameOverride(s.configFile().toString())
                    .withCredentialsFileNameOverride(s.credentialsFile().toString()).build();
        }
        return new DefaultChainCredentialsProvider.DefaultChainCredentialsProviderBuilder()
                .withClientBootstrap(bootstrap).build();
    }

    /** How many retries fit between retry_base_delay and retry_max_delay at MSFS's multiplier (at least 1). */
    static long retries(TypeSettings.S3 s) {
        long n = 0;
        double delay = Math.max(1, s.retryBaseDelayMillis());
        while (delay <= s.retryMaxDelayMillis() && n < 20) {
            n++;
            delay *= s.retryNextDelayMultiplier();
        }
        return Math.max(1, n);
    }

    /** RFC 3986 percent-encoding as SigV4 wants it; '/' is kept in paths, encoded in query values. */
    static String encode(String text, boolean slashToo) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || (c == '/' && !slashToo)) {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((c >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    /** Collects one meta request's callbacks (they arrive on CRT's event-loop threads). */
    private static final class Exchange implements S3MetaRequestResponseHandler {
        final CompletableFuture<Void> finished = new CompletableFuture<>();
        final BodySink sink;
        volatile int status;
        volatile Map<String, String> headers = Map.of();
        volatile S3FinishedResponseContext result;
        volatile BackendException sinkFailure;
        private boolean cutOff; // guarded by this: set when send ends; body pieces after it are dropped

        Exchange(BodySink sink) {
            this.sink = sink;
        }

        /** After this returns, the sink is never called again (pieces are delivered under the same monitor). */
        synchronized void cutOff() {
            cutOff = true;
        }

        @Override
        public synchronized void onResponseHeaders(int statusCode, HttpHeader[] received) {
            status = statusCode;
            Map<String, String> h = new TreeMap<>();
            for (HttpHeader header : received) {
                h.put(header.getName().toLowerCase(java.util.Locale.ROOT), header.getValue());
            }
            headers = h;
            if (sink != null && sinkFailure == null && !cutOff) {
                try {
                    sink.headers(statusCode, h);
                } catch (BackendException e) {
                    sinkFailure = e; // and no body piece reaches the sink any more
                } catch (Throwable t) {
                    sinkFailure = new BackendException(BackendException.Kind.IO, "response headers: " + t, t);
                }
            }
        }

        @Override
        public synchronized int onResponseBody(ByteBuffer body, long objectRangeStart, long objectRangeEnd) {
            if (sink != null && sinkFailure == null && !cutOff) {
                try {
                    sink.accept(body, objectRangeStart);
                } catch (BackendException e) {
                    sinkFailure = e;
                } catch (Throwable t) { // e.g. the cache revoked the destination: nothing may escape into CRT's callback
                    sinkFailure = new BackendException(BackendException.Kind.IO, "response body: " + t, t);
                }
            }
            return 0;
        }

        @Override
        public void onFinished(S3FinishedResponseContext context) {
            result = context;
            finished.complete(null);
        }
    }
}
