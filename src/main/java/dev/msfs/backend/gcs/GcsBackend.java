package dev.msfs.backend.gcs;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A bucket through Google Cloud Storage's JSON API over the JDK's HTTP client: list with delimiter
 * '/' and page tokens, object metadata, and media downloads whose body lands straight in the cache
 * line ({@link IntoSegment}). An object's version is MSFS's generation/metageneration, and every
 * read asks for the generation seen at open ({@code ifGenerationMatch}), so a replaced object is a
 * 412, EIO, never bytes of two generations. A whole-object read is checked against the object's
 * CRC32C. Every request has one deadline that covers its body, retries (429, 408, 5xx and lost
 * connections, with MSFS's backoff keys) included.
 */
public final class GcsBackend extends PrefixStore {
    /** GCS answers at most 1,000 entries a page. */
    static final int MAX_PAGE = 1000;
    static final String DEFAULT_ENDPOINT = "https://storage.googleapis.com";

    private final TypeSettings.Gcs s;
    private final String bucket;
    private final String endpoint;
    private final GcsAuth auth;
    private final HttpClient http;

    public GcsBackend(TypeSettings.Gcs settings, String bucket, String prefix, int pageSize, GcsAuth auth) {
        super(prefix, pageSize > 0 ? Math.min(pageSize, MAX_PAGE) : MAX_PAGE);
        this.s = settings;
        this.bucket = bucket;
        this.endpoint = settings.endpoint().isEmpty() ? DEFAULT_ENDPOINT : settings.endpoint().replaceAll("/+$", "");
        this.auth = auth;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(Math.min(settings.requestTimeoutMillis(), 10_000)));
        if (settings.skipTlsCertificateVerify()) {
            b.sslContext(InsecureTls.context());
        }
        this.http = b.build();
    }

    @Override
    public String describe() {
        return "GCS " + endpoint + " bucket " + bucket + " (" + auth.describe() + ")";
    }

    @Override
    protected ListPage listObjects(String fullPrefix, String continuation, int maxEntries) throws BackendException {
        return listObjectsAfter(fullPrefix, null, continuation, maxEntries);
    }

    /** GCS lists from a name with startOffset (inclusive): the key followed by U+0000 is the first after it. */
    @Override
    public boolean listsAfter() {
        return true;
    }

    @Override
    protected ListPage listObjectsAfter(String fullPrefix, String startAfter, String continuation, int maxEntries)
            throws BackendException {
        String what = "list " + bucket + "/" + fullPrefix;
        // A continued page repeats the first request's parameters, as Google's clients do.
        String from = (startAfter != null ? "&startOffset=" + enc(startAfter + "\u0000") : "")
                + (continuation != null ? "&pageToken=" + enc(continuation) : "");
        URI uri = URI.create(endpoint + "/storage/v1/b/" + enc(bucket) + "/o?delimiter=%2F&prefix=" + enc(fullPrefix)
                + "&maxResults=" + Math.min(maxEntries, MAX_PAGE) + from);
        HttpResponse<String> r = call(uri, HttpResponse.BodyHandlers::ofString, what, null);
        Exchange.check(r.statusCode(), what, GcsJson.errorMessage(r.body()));
        GcsJson.Page page;
        try {
            page = GcsJson.page(r.body());
        } catch (IOException | RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": unreadable answer (" + e.getMessage() + ")");
        }
        List<ObjectInfo> entries = new ArrayList<>();
        for (String p : page.prefixes()) {
            String rest = p.startsWith(fullPrefix) ? p.substring(fullPrefix.length()) : "";
            if (rest.length() > 1 && rest.indexOf('/') == rest.length() - 1) {
                entries.add(ObjectInfo.dir(rest.substring(0, rest.length() - 1), 0));
            }
        }
        for (GcsJson.Item item : page.items()) {
            String rest = item.name().startsWith(fullPrefix) ? item.name().substring(fullPrefix.length()) : "";
            if (!rest.isEmpty() && rest.indexOf('/') < 0) { // "" is the folder's own marker object
                entries.add(info(rest, item));
            }
        }
        boolean keysBelow = !page.items().isEmpty() || !page.prefixes().isEmpty() || page.nextPageToken() != null;
        return new ListPage(entries, page.nextPageToken(), keysBelow);
    }

    @Override
    protected Optional<ObjectInfo> headObject(String path) throws BackendException {
        String what = "metadata of " + path;
        HttpResponse<String> r = call(objectUri(path, ""), HttpResponse.BodyHandlers::ofString, what, null);
        if (r.statusCode() == 404) {
            return Optional.empty();
        }
        Exchange.check(r.statusCode(), what, GcsJson.errorMessage(r.body()));
        try {
            return Optional.of(info(Paths.baseName(path), GcsJson.object(r.body())));
        } catch (IOException | RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, what + ": unreadable answer (" + e.getMessage() + ")");
        }
    }

    private static ObjectInfo info(String name, GcsJson.Item item) {
        return new ObjectInfo(name, false, item.size(), Times.epochMillis(item.updated()), item.version());
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return read(path, etag, offset, dst, Arrivals.NONE);
    }

    /** A ranged media download, pinned to the generation opened: every byte that lands is of that generation. */
    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        return dst.byteSize() == 0 ? 0 : download(path, etag, offset, dst, arrivals).bytes;
    }

    /** The whole object, then its CRC32C against the one GCS keeps (x-goog-hash), where it sent one. */
    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        if (dst.byteSize() == 0) {
            return 0;
        }
        Download d = download(path, etag, -1, dst, Arrivals.NONE);
        Optional<String> stored = d.response.headers().allValues("x-goog-hash").stream()
                .flatMap(h -> java.util.Arrays.stream(h.split(","))).map(String::trim)
                .filter(h -> h.startsWith("crc32c=")).map(h -> h.substring("crc32c=".length())).findFirst();
        if (stored.isPresent() && d.bytes == dst.byteSize()) {
            CRC32C crc = new CRC32C();
            crc.update(dst.asByteBuffer());
            long want = crc32c(stored.get(), path);
            if (crc.getValue() != want) {
                throw new BackendException(BackendException.Kind.IO, path + ": bytes read do not match the object's CRC32C"
                        + " (got " + Long.toHexString(crc.getValue()) + ", stored " + Long.toHexString(want) + ")");
            }
        }
        return d.bytes;
    }

    private static long crc32c(String base64, String path) throws BackendException {
        try {
            byte[] b = Base64.getDecoder().decode(base64);
            if (b.length == 4) {
                return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new BackendException(BackendException.Kind.IO, path + ": GCS sent an unreadable crc32c \"" + base64 + "\"");
    }

    private record Download(HttpResponse<Long> response, long bytes) {
    }

    /**
     * A media GET of {@code dst.byteSize()} bytes from {@code offset} (-1: the whole object, no
     * Range). A server that ignores the Range answers 200 with the object from its start: those
     * bytes are written only when that is where the read starts.
     */
    private Download download(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals)
            throws BackendException {
        String what = "read " + path;
        String generation = etag == null ? "" : etag.substring(0, Math.max(0, etag.indexOf('/')));
        URI uri = objectUri(path, "alt=media" + (generation.isEmpty() ? "" : "&ifGenerationMatch=" + generation));
        long from = Math.max(0, offset);
        String range = offset < 0 ? null : "bytes=" + from + "-" + (from + dst.byteSize() - 1);
        Arrivals reported = generation.isEmpty() ? Arrivals.NONE : arrivals; // unpinned, a retry could bring another generation
        HttpResponse<Long> r = call(uri, () -> new IntoSegment(dst, reported,
                info -> info.statusCode() == 206 || info.statusCode() == 200 && from == 0), what, range);
        if (r.statusCode() == 416) {
            return new Download(r, 0);
        }
        if (r.statusCode() == 412) {
            throw new BackendException(BackendException.Kind.CHANGED, path + " changed since it was opened (generation "
                    + generation + " is gone)");
        }
        Exchange.check(r.statusCode(), what);
        if (r.body() < 0) {
            throw new BackendException(BackendException.Kind.IO, what + ": the server ignored the Range of a read from " + from);
        }
        return new Download(r, r.body());
    }

    /**
     * GET {@code uri} under one deadline, retrying what may pass (429, 408, 5xx, a lost connection)
     * after MSFS's backoff (retry_base_delay, times retry_next_delay_multiplier, while a delay stays
     * within retry_max_delay) as long as the deadline leaves room for the wait.
     */
    private <T> HttpResponse<T> call(URI uri, java.util.function.Supplier<HttpResponse.BodyHandler<T>> handlers, String what,
                                     String range) throws BackendException {
        long deadline = System.nanoTime() + s.requestTimeoutMillis() * 1_000_000L;
        long delay = s.retryBaseDelayMillis();
        while (true) {
            HttpResponse.BodyHandler<T> handler = handlers.get(); // a new one each attempt: the last one is stopped for good
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET()
                    .timeout(Duration.ofMillis(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            if (range != null) {
                b.header("Range", range);
            }
            BackendException failure;
            try {
                auth.authorize(b, uri, deadline);
                HttpResponse<T> r = Exchange.send(http, b.build(), handler, deadline, s.requestTimeoutMillis(), what);
                int status = r.statusCode();
                if (!(status == 429 || status == 408 || status >= 500)) {
                    return r;
                }
                Exchange.stop(handler); // a rejected body wrote nothing; stopped anyway before the next attempt
                failure = new BackendException(BackendException.Kind.IO, what + ": HTTP " + status);
            } catch (BackendException e) {
                if (e.kind() != BackendException.Kind.IO) {
                    throw e;
                }
                failure = e;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (delay > s.retryMaxDelayMillis() || delay >= left) {
                throw failure;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure;
            }
            delay = (long) Math.ceil(delay * s.retryNextDelayMultiplier());
        }
    }

    private URI objectUri(String path, String query) {
        return URI.create(endpoint + "/storage/v1/b/" + enc(bucket) + "/o/" + enc(prefix + path) + (query.isEmpty() ? "" : "?" + query));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
