package dev.msfs.backend.s3;

import dev.msfs.backend.Arrivals;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import dev.msfs.backend.PrefixStore;
import dev.msfs.backend.Times;
import dev.msfs.config.TypeSettings;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.stream.XMLStreamException;
import software.amazon.awssdk.crt.http.HttpHeader;
import software.amazon.awssdk.crt.s3.S3MetaRequestOptions.MetaRequestType;

/**
 * A bucket (below an optional prefix) of S3 or an S3-compatible store: ListObjectsV2 with
 * delimiter '/' for directories, HEAD for files, ranged GETs (split by CRT into parallel parts)
 * written straight into the caller's memory, with If-Match so a changed object fails instead of
 * mixing versions.
 */
public final class S3Backend extends PrefixStore {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(S3Backend.class.getName());
    private final S3Connection s3;
    private final java.util.concurrent.atomic.AtomicBoolean unshownLogged = new java.util.concurrent.atomic.AtomicBoolean();
    private final StoreCapabilities caps;

    public S3Backend(TypeSettings.S3 settings, String bucket, String prefix, int pageSize) throws BackendException {
        super(prefix, pageSize);
        this.s3 = new S3Connection(settings, bucket);
        this.caps = new StoreCapabilities("S3 " + s3.describe());
    }

    @Override
    protected Optional<ObjectInfo> headObject(String path) throws BackendException {
        try {
            S3Connection.Response r = s3.send(S3Request.of("HeadObject", "HEAD", prefix + path));
            Map<String, String> h = r.headers();
            long size = Long.parseLong(h.getOrDefault("content-length", "0"));
            long mtime = Times.epochMillis(h.getOrDefault("last-modified", ""));
            return Optional.of(new ObjectInfo(Paths.baseName(path), false, size, mtime, unquote(h.getOrDefault("etag", ""))));
        } catch (BackendException e) {
            if (e.kind() == BackendException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public boolean writable() {
        return true;
    }

    /**
     * One PutObject of the file (up to S3's 5 GiB for one PUT: CRT's multipart threshold is set
     * there), then a HEAD for what the store made of it: its ETag, size and time.
     */
    @Override
    public ObjectInfo put(String path, java.nio.file.Path file) throws BackendException {
        s3.send(S3Request.of("PutObject", "PUT", prefix + path).withUpload(file));
        return headObject(path).orElseThrow(() -> new BackendException(BackendException.Kind.IO,
                "PUT " + path + " succeeded, but a HEAD of it finds nothing"));
    }

    @Override
    public boolean uploadsInParts() {
        return true;
    }

    /** S3's multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload). */
    @Override
    public dev.msfs.backend.Upload startUpload(String path) throws BackendException {
        return S3Upload.start(s3, prefix + path, () -> headObject(path));
    }

    @Override
    public void delete(String path) throws BackendException {
        s3.send(S3Request.of("DeleteObject", "DELETE", prefix + path));
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        return read(path, etag, offset, dst, Arrivals.NONE);
    }

    /**
     * A ranged GET: with a known version, CRT's split GET, which fetches parts of
     * {@link S3Connection#PART_SIZE} in parallel and hands each over whole, in order; each is
     * reported to {@code arrivals} as it lands. Without one (or from a store that sends no ETag),
     * one plain request, handed over at its end.
     */
    @Override
    public long read(String path, String etag, long offset, MemorySegment dst, Arrivals arrivals) throws BackendException {
        long length = dst.byteSize();
        if (length == 0) {
            return 0;
        }
        boolean knownVersion = etag != null && !etag.isEmpty();
        HttpHeader range = new HttpHeader("Range", "bytes=" + offset + "-" + (offset + length - 1));
        Fetch fetch = knownVersion ? Fetch.SPLIT : Fetch.PLAIN;
        try {
            return getWithVersion(path, etag, range, offset, dst, fetch, arrivals);
        } catch (BackendException e) {
            if (rangeNotSatisfiable(e)) {
                return 0; // range starts at or past the end: an empty read
            }
            if (fetch == Fetch.SPLIT && missingEtag(e)) { // the store sends no ETag on GETs: CRT cannot split
                return getWithVersion(path, etag, range, offset, dst, Fetch.PLAIN, arrivals);
            }
            throw e;
        }
    }

    /**
     * One GET without a range, so the store sends the object's checksum when it keeps one and CRT
     * verifies the body against it (a mismatch fails the read, and so poisons the cache line).
     */
    @Override
    public long readWhole(String path, String etag, MemorySegment dst) throws BackendException {
        if (dst.byteSize() == 0) {
            return 0;
        }
        if (!caps.checksumMode()) {
            return getWithVersion(path, etag, null, 0, dst, Fetch.PLAIN, Arrivals.NONE);
        }
        try {
            return getWithVersion(path, etag, null, 0, dst, Fetch.VERIFIED, Arrivals.NONE); // a short body: the cache poisons the line
        } catch (BackendException e) {
            if (!mayBeRefusedFeature(e)) {
                throw e;
            }
            long n = getWithVersion(path, etag, null, 0, dst, Fetch.PLAIN, Arrivals.NONE);
            caps.refusedChecksumMode(e.getMessage()); // only now: the same request without it worked
            return n;
        }
    }

    /**
     * A GET of the version {@code etag} names (any version if it is empty): with If-Match while
     * the store takes it, dropped for good once the store refuses it, and in every case the
     * response's own ETag compared, which catches stores that ignore If-Match.
     */
    private long getWithVersion(String path, String etag, HttpHeader range, long offset, MemorySegment dst, Fetch fetch,
            Arrivals arrivals) throws BackendException {
        boolean versioned = etag != null && !etag.isEmpty() && caps.ifMatch();
        try {
            return get(path, headers(versioned ? etag : null, range), etag, offset, dst, fetch, arrivals);
        } catch (BackendException e) {
            if (!versioned || !mayBeRefusedFeature(e)) {
                throw e;
            }
            long n = get(path, headers(null, range), etag, offset, dst, fetch, arrivals);
            caps.refusedIfMatch(e.getMessage());
            return n;
        }
    }

    /** A store that does not implement an optional header answers 501, or 400 (a retry without it tells). */
    static boolean mayBeRefusedFeature(BackendException e) {
        return e.status() == 501 || e.status() == 400;
    }

    static boolean rangeNotSatisfiable(BackendException e) {
        return e.status() == 416;
    }

    /** CRT's split GETs need an ETag on every part; some stores send none. */
    static boolean missingEtag(BackendException e) {
        return "AWS_ERROR_S3_MISSING_ETAG".equals(e.code());
    }

    private static List<HttpHeader> headers(String ifMatch, HttpHeader range) {
        List<HttpHeader> headers = new ArrayList<>(2);
        if (ifMatch != null) {
            headers.add(new HttpHeader("If-Match", "\"" + ifMatch + "\""));
        }
        if (range != null) {
            headers.add(range);
        }
        return headers;
    }

    /** How a GET runs: split into parallel parts, one plain stream, or one stream with the checksum verified. */
    private enum Fetch { SPLIT, PLAIN, VERIFIED }

    /**
     * One GET into {@code dst}. Split: CRT's GetObject meta request, which fetches parts in
     * parallel (it needs the store to send ETags) and says where each piece belongs. Plain and
     * verified: a single request whose body streams in order. A response whose ETag is not
     * {@code etag} (when both are known) is another version: CHANGED.
     */
    private long get(String path, List<HttpHeader> headers, String etag, long offset, MemorySegment dst, Fetch fetch,
            Arrivals arrivals) throws BackendException {
        IntoSegment sink = new IntoSegment(path, etag, offset, fetch == Fetch.SPLIT, dst, arrivals);
        S3Request get = S3Request.of("GetObject", "GET", prefix + path).withHeaders(headers).withSink(sink)
                .withType(fetch == Fetch.SPLIT ? MetaRequestType.GET_OBJECT : MetaRequestType.DEFAULT);
        S3Connection.Response r = s3.send(fetch == Fetch.VERIFIED ? get.withVerifiedChecksum() : get);
        String seen = unquote(r.headers().getOrDefault("etag", ""));
        if (!sameVersion(etag, seen)) {
            throw new BackendException(BackendException.Kind.CHANGED, path + " changed since it was opened (ETag "
                    + seen + ", opened as " + etag + ")", r.status(), "", null);
        }
        return sink.received;
    }

    /** Another version only when both ETags are known and differ (some stores send none). */
    private static boolean sameVersion(String etag, String seen) {
        return etag == null || etag.isEmpty() || seen.isEmpty() || seen.equals(etag);
    }

    /**
     * A GET's body into {@code dst}, which starts at object offset {@code offset}. Its pieces and
     * headers arrive on CRT's threads one at a time, under the exchange's monitor (so plain fields
     * do; the sender reads {@link #received} after the exchange has ended). While the pieces come
     * in order, what has landed is reported to {@code arrivals}, but only once the headers vouched
     * for it: the range asked for (206 from {@code offset}, or 200 from the start) and, when a
     * version is known, that very ETag (a response without one is not vouched for, as the same
     * request may be sent again without splitting).
     */
    private static final class IntoSegment implements S3Connection.BodySink {
        private final String path;
        private final String etag;
        private final long offset;
        private final boolean split; // a split GET's pieces say where they go; a plain GET's come in order
        private final MemorySegment dst;
        private final Arrivals arrivals;
        private boolean vouched;
        private boolean inOrder = true; // CRT hands a split GET's parts over in order; should one come early, reports stop
        long received;

        IntoSegment(String path, String etag, long offset, boolean split, MemorySegment dst, Arrivals arrivals) {
            this.path = path;
            this.etag = etag;
            this.offset = offset;
            this.split = split;
            this.dst = dst;
            this.arrivals = arrivals;
        }

        @Override
        public void headers(int status, Map<String, String> headers) {
            boolean range = status == 206 ? headers.getOrDefault("content-range", "").startsWith("bytes " + offset + "-")
                    : status == 200 && offset == 0;
            String seen = unquote(headers.getOrDefault("etag", ""));
            vouched = range && (etag == null || etag.isEmpty() || seen.equals(etag));
        }

        @Override
        public void accept(ByteBuffer piece, long objectOffset) throws BackendException {
            long at = split ? objectOffset - offset : received;
            int n = piece.remaining();
            if (at < 0 || at + n > dst.byteSize()) {
                throw new BackendException(BackendException.Kind.IO, path + ": response body outside the range asked for");
            }
            MemorySegment.copy(MemorySegment.ofBuffer(piece), 0, dst, at, n);
            inOrder &= at == received;
            received += n;
            if (vouched && inOrder) {
                arrivals.reached(received);
            }
        }
    }

    @Override
    public String describe() {
        return "S3 " + s3.describe();
    }

    @Override
    public void close() {
        s3.close();
    }

    /**
     * One page of a directory: ListObjectsV2 while the store takes it; ListObjects (V1, with a
     * marker) for good once a first V2 page is refused, or comes back truncated without a token
     * (a store that ignored list-type=2), and V1 works.
     */
    @Override
    protected ListPage listObjects(String fullPrefix, String continuation, int maxKeys) throws BackendException {
        if (!caps.listV2()) {
            return list(false, fullPrefix, continuation, maxKeys).page(false);
        }
        String refused;
        try {
            S3Listing v2 = list(true, fullPrefix, continuation, maxKeys);
            if (!v2.truncated() || v2.nextV2() != null || continuation != null) {
                return v2.page(true);
            }
            refused = "a truncated answer without a continuation token";
        } catch (BackendException e) {
            if (continuation != null || !mayBeRefusedFeature(e)) {
                throw e;
            }
            refused = e.getMessage();
        }
        ListPage v1 = list(false, fullPrefix, null, maxKeys).page(false);
        caps.refusedListV2(refused);
        return v1;
    }

    /** S3 lists from any key: start-after (ListObjectsV2), or marker (V1), which means the same. */
    @Override
    public boolean listsAfter() {
        return true;
    }

    @Override
    protected ListPage listObjectsAfter(String fullPrefix, String startAfter, String continuation, int maxKeys)
            throws BackendException {
        boolean v2 = caps.listV2();
        return list(v2, fullPrefix, continuation, maxKeys, startAfter).page(v2);
    }

    private S3Listing list(boolean v2, String fullPrefix, String continuation, int maxKeys) throws BackendException {
        return list(v2, fullPrefix, continuation, maxKeys, null);
    }

    /** @param startAfter the key to list after when there is no continuation yet, or null */
    private S3Listing list(boolean v2, String fullPrefix, String continuation, int maxKeys, String startAfter)
            throws BackendException {
        Map<String, String> query = new LinkedHashMap<>();
        if (v2) {
            query.put("list-type", "2");
        }
        query.put("delimiter", "/");
        query.put("prefix", fullPrefix);
        query.put("max-keys", Integer.toString(maxKeys));
        query.put("encoding-type", "url"); // keys may hold bytes XML 1.0 cannot carry (S3Listing)
        if (continuation != null) {
            query.put(v2 ? "continuation-token" : "marker", continuation);
        } else if (startAfter != null) {
            query.put(v2 ? "start-after" : "marker", startAfter);
        }
        byte[] body = s3.sendForBody(S3Request.of(v2 ? "ListObjectsV2" : "ListObjects", "GET", "").withQuery(query));
        try {
            S3Listing listing = S3Listing.parse(body, fullPrefix);
            if (listing.unshown() > 0 && unshownLogged.compareAndSet(false, true)) {
                LOG.warning("listing " + fullPrefix + ": " + listing.unshown() + " key(s) cannot be shown as names (control"
                        + " characters sent raw, or bad percent-encoding) and are left out (logged once)");
            }
            return listing;
        } catch (XMLStreamException | RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, "unreadable listing of " + fullPrefix + ": " + e.getMessage());
        }
    }

    static String unquote(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
