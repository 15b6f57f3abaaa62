package dev.msfs.backend.aistore;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import dev.msfs.backend.PrefixStore;
import dev.msfs.backend.Times;
import dev.msfs.backend.http.Exchange;
import dev.msfs.backend.http.InsecureTls;
import dev.msfs.backend.http.IntoSegment;
import dev.msfs.config.TypeSettings;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A bucket through AIStore's native REST API (HTTP/1.1, connections reused by the JDK client):
 * list with {@code {"action": "list"}} on /v1/buckets (non-recursive, paged by continuation
 * token), HEAD and ranged GET on /v1/objects, following the proxy's redirect to the target that
 * holds the object. Redirects are followed here, not by the JDK client, which drops the
 * Authorization header when the target is another host or port; {@link TokenScope} decides which
 * hops get the token. The bucket's {@code provider} goes in every query; a bearer token (inline, or
 * from a token file re-read when it changes) authenticates. Every request has the configured timeout.
 */
public final class AIStoreBackend extends PrefixStore {
    /** AIStore's list flag "no recursion" (bit 11): immediate children only, directories as "name/". */
    private static final int LS_NO_RECURSION = 1 << 11;
    /** LsoRes.flags bit 0: the listing ran while a rebalance was moving objects. */
    private static final long LIST_DURING_REBALANCE = 1;
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AIStoreBackend.class.getName());

    private final TypeSettings.AIStore s;
    private final String bucket;
    private final HttpClient http;
    private final TokenScope tokenScope;
    private String token = "";          // guarded by this
    private volatile boolean rebalanceLogged;
    private FileTime tokenFileTime;     // guarded by this

    public AIStoreBackend(TypeSettings.AIStore settings, String bucket, String prefix, int pageSize) {
        super(prefix, pageSize);
        this.s = settings;
        this.bucket = bucket;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofMillis(Math.min(s.timeoutMillis(), 10_000)));
        if (settings.skipTlsCertificateVerify()) {
            b.sslContext(InsecureTls.context());
        }
        this.http = b.build();
        this.tokenScope = new TokenScope(URI.create(s.endpoint()), this::clusterMap);
    }

    /** The cluster map's JSON, for {@link TokenScope}. */
    private String clusterMap() throws BackendException {
        HttpResponse<String> r = send(URI.create(s.endpoint() + "/v1/daemon?what=smap"), HttpRequest.Builder::GET,
                HttpResponse.BodyHandlers.ofString(), "GET cluster map");
        Exchange.check(r.statusCode(), "GET cluster map");
        return r.body();
    }

    @Override
    public String describe() {
        return "AIStore " + s.endpoint() + " bucket " + bucket + " (provider " + s.provider() + ")";
    }

    @Override
    protected Optional<ObjectInfo> headObject(String path) throws BackendException {
        HttpResponse<Void> r = send(objectUri(path), b -> b.method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding(), "HEAD " + path);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        Exchange.check(r.statusCode(), "HEAD " + path);
        long size = r.headers().firstValueAsLong("content-length").orElse(0); // a zero-size object's HEAD has none
        long atime = Times.epochMillis(r.headers().firstValue("ais-atime").orElse(""));
        return Optional.of(new ObjectInfo(Paths.baseName(path), false, size, atime, AisVersion.of(r.headers())));
    }

    @Override
    public boolean writable() {
        return true;
    }

    /**
     * One PUT of the file (AIStore's native API: the proxy redirects it to the target that will
     * hold the object, and the body is sent again there), then a HEAD for what AIStore made of
     * it. The whole request, body included, has the configured timeout. AIStore's own multipart
     * API is not used: a file is stored whole at its commit.
     */
    @Override
    public ObjectInfo put(String path, java.nio.file.Path file) throws BackendException {
        String what = "PUT " + path;
        HttpRequest.BodyPublisher body; // each hop subscribes anew, and reads the file from its start
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": " + e.getMessage());
        }
        // Expect: 100-continue: the proxy answers its redirect before the body is sent, which then goes to the target only.
        HttpResponse<Void> r = send(objectUri(path), b -> b.expectContinue(true).PUT(body), HttpResponse.BodyHandlers.discarding(),
                what);
        Exchange.check(r.statusCode(), what);
        return headObject(path).orElseThrow(() -> new BackendException(BackendException.Kind.IO, what
                + " succeeded, but a HEAD of it finds nothing"));
    }

    /** DELETE of the object; one that is not there is no error. */
    @Override
    public void delete(String path) throws BackendException {
        String what = "DELETE " + path;
        HttpResponse<Void> r = send(objectUri(path), b -> b.DELETE(), HttpResponse.BodyHandlers.discarding(), what);
        if (r.statusCode() != 404) {
            Exchange.check(r.statusCode(), what);
        }
    }

    /**
     * A ranged GET. It can tell a change only by {@code Ais-Version} (a range's checksum may be
     * the range's own, see {@link AisVersion}).
     */
    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return read(path, etag, offset, dst, Arrivals.NONE);
    }

    /** The body is read in order, after the version was checked: each chunk is reported as it lands. */
    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return get(path, etag, offset, "bytes=" + offset + "-" + (offset + dst.byteSize() - 1), dst, arrivals);
    }

    /** The whole object, without a range: its checksum is the object's, so one of the type opened is compared too. */
    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        return get(path, etag, 0, null, dst, Arrivals.NONE);
    }

    /**
     * A GET whose body lands in {@code dst} as it arrives ({@link IntoSegment}), once the status and
     * the version were checked, under one deadline for the whole request; nothing writes into
     * {@code dst} after this returns. A 200 to a ranged read is the object from its start: its
     * bytes are taken only when that is where the read starts.
     */
    private long get(String path, String etag, long offset, String range, MemorySegment dst, Arrivals arrivals)
            throws BackendException {
        if (dst.byteSize() == 0) {
            return 0;
        }
        IntoSegment body = new IntoSegment(dst, arrivals, info -> (info.statusCode() == 206 || info.statusCode() == 200 && offset == 0)
                && !AisVersion.changed(etag, info.headers(), range == null));
        HttpResponse<Long> r = send(objectUri(path), b -> range == null ? b.GET() : b.GET().header("Range", range),
                body, "GET " + path, System.nanoTime() + s.timeoutMillis() * 1_000_000L);
        if (r.statusCode() == 416) {
            return 0;
        }
        Exchange.check(r.statusCode(), "GET " + path);
        if (AisVersion.changed(etag, r.headers(), range == null)) {
            throw new BackendException(BackendException.Kind.CHANGED, path + " changed since it was opened (now "
                    + AisVersion.of(r.headers()) + ", opened as " + etag + ")");
        }
        if (r.body() < 0) {
            throw new BackendException(BackendException.Kind.IO, "GET " + path + ": the server answered "
                    + r.statusCode() + " to a read from " + offset + ", not its range");
        }
        return r.body();
    }

    /**
     * One page of a directory. The continuation msfs hands out is the listing's uuid and AIStore's
     * token, so the next page continues the same job on the cluster (a uuid holds no newline).
     */
    @Override
    protected ListPage listObjects(String fullPrefix, String continuation, int maxEntries) throws BackendException {
        int cut = continuation == null ? -1 : continuation.indexOf('\n');
        String uuid = cut < 0 ? "" : continuation.substring(0, cut);
        String token = continuation == null ? "" : continuation.substring(cut + 1);
        String value = "{\"props\": \"name,size,checksum,version,atime\", \"prefix\": " + quote(fullPrefix)
                + ", \"pagesize\": " + maxEntries + ", \"flags\": \"" + LS_NO_RECURSION + "\", \"uuid\": " + quote(uuid)
                + ", \"continuation_token\": " + quote(token) + "}";
        String what = "list " + bucket + "/" + fullPrefix;
        String body = "{\"action\": \"list\", \"value\": " + value + "}";
        HttpResponse<String> r = send(URI.create(s.endpoint() + "/v1/buckets/" + enc(bucket) + "?provider=" + enc(s.provider())),
                b -> b.header("Content-Type", "application/json").method("GET", HttpRequest.BodyPublishers.ofString(body)),
                HttpResponse.BodyHandlers.ofString(), what);
        Exchange.check(r.statusCode(), what);
        AisJson.Page page;
        try {
            page = AisJson.listing(r.body());
        } catch (IOException | RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": unreadable answer (" + e.getMessage() + ")");
        }
        List<ObjectInfo> entries = new ArrayList<>();
        boolean keysBelow = false;
        for (AisJson.Entry e : page.entries()) {
            if (e.name().startsWith(fullPrefix)) {
                keysBelow = true; // a folder marker ("d/" listed under "d/") proves its directory too
                ObjectInfo info = AisJson.toInfo(e, fullPrefix);
                if (info != null) {
                    entries.add(info);
                }
            }
        }
        if ((page.flags() & LIST_DURING_REBALANCE) != 0 && !rebalanceLogged) {
            rebalanceLogged = true;
            LOG.warning(what + ": AIStore listed during a rebalance; the listing may be incomplete (logged once)");
        }
        String next = page.continuationToken() == null || page.continuationToken().isEmpty() ? null
                : page.uuid() + "\n" + page.continuationToken();
        return new ListPage(entries, next, keysBelow || next != null);
    }

    /** A request that may take what is left until {@code deadline} (System.nanoTime), at least a millisecond. */
    private HttpRequest.Builder request(URI uri, long deadline, String token) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(left));
        if (!token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    /** As the next, with the configured timeout from now. */
    private <T> HttpResponse<T> send(URI uri, java.util.function.UnaryOperator<HttpRequest.Builder> shape,
                                     HttpResponse.BodyHandler<T> handler, String what) throws BackendException {
        return send(uri, shape, handler, what, System.nanoTime() + s.timeoutMillis() * 1_000_000L);
    }

    /**
     * Sends the request shaped by {@code shape}, following up to 5 redirects with the same method
     * and body, every hop within what is left until {@code deadline}, bodies included. The token
     * goes along while {@link TokenScope} allows each hop.
     */
    private <T> HttpResponse<T> send(URI uri, java.util.function.UnaryOperator<HttpRequest.Builder> shape,
                                     HttpResponse.BodyHandler<T> handler, String what, long deadline) throws BackendException {
        URI at = uri;
        String token = currentToken();
        for (int hop = 0; hop < 5; hop++) {
            HttpResponse<T> r = Exchange.send(http, shape.apply(request(at, deadline, token)).build(), handler, deadline,
                    s.timeoutMillis(), what);
            Optional<String> location = r.headers().firstValue("location");
            if (!(r.statusCode() == 301 || r.statusCode() == 302 || r.statusCode() == 307 || r.statusCode() == 308)
                    || location.isEmpty()) {
                return r;
            }
            at = at.resolve(lenientUri(location.get()));
            if (!token.isEmpty() && !tokenScope.allows(at)) {
                token = "";
            }
        }
        throw new BackendException(BackendException.Kind.IO, what + ": too many redirects");
    }

    /**
     * A redirect Location as AIStore's proxy writes it: built from the decoded object name and
     * escaped only when the name holds one of {@code %?# +}, so names like {@code img[1].png} come
     * back with characters a URI may not hold. Those are escaped here (UTF-8, percent-encoded), in
     * the path and query only: the authority keeps an IPv6 literal's brackets.
     */
    static URI lenientUri(String location) {
        int scheme = location.indexOf("://");
        int pathStart = scheme < 0 ? 0 : location.indexOf('/', scheme + 3);
        if (pathStart < 0) {
            return URI.create(location);
        }
        StringBuilder out = new StringBuilder(location.length() + 16).append(location, 0, pathStart);
        for (byte b : location.substring(pathStart).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || "[]{}|\"<>\\^`".indexOf(c) >= 0) {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            } else {
                out.append((char) c);
            }
        }
        return URI.create(out.toString());
    }

    /** The inline token, else the token file's (JSON, or a bare token), re-read whenever the file's mtime changes. */
    private synchronized String currentToken() {
        if (!s.authnToken().isEmpty()) {
            return s.authnToken();
        }
        try {
            FileTime t = Files.getLastModifiedTime(s.authnTokenFile());
            if (!t.equals(tokenFileTime)) {
                token = AisJson.token(Files.readString(s.authnTokenFile())); // the CLI writes {"token": "…"}
                tokenFileTime = t;
            }
        } catch (IOException e) {
            token = "";
            tokenFileTime = null;
        }
        return token;
    }

    private URI objectUri(String path) {
        StringBuilder p = new StringBuilder();
        for (String part : (prefix + path).split("/", -1)) {
            p.append('/').append(enc(part));
        }
        return URI.create(s.endpoint() + "/v1/objects/" + enc(bucket) + p + "?provider=" + enc(s.provider()));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
