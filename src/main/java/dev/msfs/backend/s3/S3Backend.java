package dev.msfs.backend.s3;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import dev.msfs.backend.PrefixStore;
import dev.msfs.config.TypeSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.crt.http.HttpHeader;
import software.amazon.awssdk.crt.s3.S3MetaRequestOptions.MetaRequestType;

/**
 * A bucket (below an optional prefix) of S3 or an S3-compatible store: ListObjectsV2 with
 * delimiter '/' for directories, HEAD for files, ranged GETs (split by CRT into parallel parts)
 * written straight into the caller's memory, with If-Match so a changed object fails instead of
 * mixing versions.
 */
public final class S3Backend extends PrefixStore {
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();

    private final S3Connection s3;

    public S3Backend(TypeSettings.S3 settings, String bucket, String prefix, int pageSize) throws BackendException {
        super(prefix, pageSize);
        this.s3 = new S3Connection(settings, bucket);
    }

    @Override
    protected Optional<ObjectInfo> headObject(String path) throws BackendException {
        try {
            S3Connection.Response r = s3.send(S3Request.of("HeadObject", "HEAD", prefix + path));
            Map<String, String> h = r.headers();
            long size = Long.parseLong(h.getOrDefault("content-length", "0"));
            long mtime = h.containsKey("last-modified")
                    ? ZonedDateTime.parse(h.get("last-modified"), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli()
                    : 0;
            return Optional.of(new ObjectInfo(Paths.baseName(path), false, size, mtime, unquote(h.getOrDefault("etag", ""))));
        } catch (BackendException e) {
            if (e.kind() == BackendException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public long read(String path, String etag, long offset, MemorySegment dst) throws BackendException {
        long length = dst.byteSize();
        if (length == 0) {
            return 0;
        }
        List<HttpHeader> headers = versionHeaders(etag);
        boolean knownVersion = !headers.isEmpty();
        headers.add(new HttpHeader("Range", "bytes=" + offset + "-" + (offset + length - 1)));
        try {
            return get(path, headers, offset, dst, knownVersion ? Fetch.SPLIT : Fetch.PLAIN);
        } catch (BackendException e) {
            if (rangeNotSatisfiable(e)) {
                return 0; // range starts at or past the end: an empty read
            }
            if (knownVersion && missingEtag(e)) {
                return get(path, headers, offset, dst, Fetch.PLAIN); // the store sends no ETag on GETs
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
        return get(path, versionHeaders(etag), 0, dst, Fetch.VERIFIED); // a short body: the cache poisons the line
    }

    static boolean rangeNotSatisfiable(BackendException e) {
        return e.status() == 416;
    }

    /** CRT's split GETs need an ETag on every part; some stores send none. */
    static boolean missingEtag(BackendException e) {
        return "AWS_ERROR_S3_MISSING_ETAG".equals(e.code());
    }

    private static List<HttpHeader> versionHeaders(String etag) {
        List<HttpHeader> headers = new ArrayList<>();
        if (etag != null && !etag.isEmpty()) {
            headers.add(new HttpHeader("If-Match", "\"" + etag + "\""));
        }
        return headers;
    }

    /** How a GET runs: split into parallel parts, one plain stream, or one stream with the checksum verified. */
    private enum Fetch { SPLIT, PLAIN, VERIFIED }

    /**
     * One GET into {@code dst}. Split: CRT's GetObject meta request, which fetches parts in
     * parallel (it needs the store to send ETags) and says where each piece belongs. Plain and
     * verified: a single request whose body streams in order.
     */
    private long get(String path, List<HttpHeader> headers, long offset, MemorySegment dst, Fetch fetch)
            throws BackendException {
        boolean split = fetch == Fetch.SPLIT;
        long length = dst.byteSize();
        AtomicLong received = new AtomicLong();
        S3Connection.BodySink intoDst = (piece, objectOffset) -> {
            long at = split ? objectOffset - offset : received.get();
            int n = piece.remaining();
            if (at < 0 || at + n > length) {
                throw new BackendException(BackendException.Kind.IO, path + ": response body outside the range asked for");
            }
            MemorySegment.copy(MemorySegment.ofBuffer(piece), 0, dst, at, n);
            received.addAndGet(n);
        };
        S3Request get = S3Request.of("GetObject", "GET", prefix + path).withHeaders(headers).withSink(intoDst)
                .withType(split ? MetaRequestType.GET_OBJECT : MetaRequestType.DEFAULT);
        s3.send(fetch == Fetch.VERIFIED ? get.withVerifiedChecksum() : get);
        return received.get();
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    protected ListPage listObjects(String fullPrefix, String continuation, int maxKeys) throws BackendException {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("list-type", "2");
        query.put("delimiter", "/");
        query.put("prefix", fullPrefix);
        query.put("max-keys", Integer.toString(maxKeys));
        if (continuation != null) {
            query.put("continuation-token", continuation);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        s3.send(S3Request.of("ListObjectsV2", "GET", "").withQuery(query).withSink((piece, offset) -> {
            byte[] bytes = new byte[piece.remaining()];
            piece.get(bytes);
            body.writeBytes(bytes);
        }));
        try {
            return parseListing(body.toByteArray(), fullPrefix);
        } catch (XMLStreamException | RuntimeException e) {
            throw new BackendException(BackendException.Kind.IO, "unreadable listing of " + fullPrefix + ": " + e.getMessage());
        }
    }

    /** ListObjectsV2's XML: Contents (objects) and CommonPrefixes (directories) below {@code fullPrefix}. */
    static ListPage parseListing(byte[] xml, String fullPrefix) throws XMLStreamException {
        XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(xml));
        List<ObjectInfo> entries = new ArrayList<>();
        Map<String, String> fields = new LinkedHashMap<>();
        String next = null;
        String element = null;
        StringBuilder text = new StringBuilder();
        while (r.hasNext()) {
            switch (r.next()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    element = r.getLocalName();
                    text.setLength(0);
                    if (element.equals("Contents") || element.equals("CommonPrefixes")) {
                        fields.clear();
                    }
                }
                case XMLStreamConstants.CHARACTERS -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    String name = r.getLocalName();
                    switch (name) {
                        case "Contents" -> {
                            String rest = fields.getOrDefault("Key", "").substring(fullPrefix.length());
                            if (!rest.isEmpty()) { // "dir/" marker objects are the directory itself
                                entries.add(new ObjectInfo(rest, false, Long.parseLong(fields.getOrDefault("Size", "0")),
                                        Instant.parse(fields.getOrDefault("LastModified", "1970-01-01T00:00:00Z")).toEpochMilli(),
                                        unquote(fields.getOrDefault("ETag", ""))));
                            }
                        }
                        case "CommonPrefixes" -> {
                            String p = fields.getOrDefault("Prefix", "");
                            if (p.length() > fullPrefix.length() + 1) {
                                entries.add(ObjectInfo.dir(p.substring(fullPrefix.length(), p.length() - 1), 0));
                            }
                        }
                        case "NextContinuationToken" -> next = text.toString();
                        default -> fields.put(name, text.toString());
                    }
                    text.setLength(0);
                }
                default -> { }
            }
        }
        return new ListPage(entries, next == null || next.isEmpty() ? null : next);
    }

    private static String unquote(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
