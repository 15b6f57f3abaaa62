package dev.msfs.backend.s3;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.crt.http.HttpHeader;
import software.amazon.awssdk.crt.s3.S3MetaRequestOptions.MetaRequestType;

/**
 * One S3 request for {@link S3Connection#send}: built with {@link #of} and the {@code with…}
 * methods, which each return a changed copy.
 *
 * @param operation      S3's name for it (ListObjectsV2, HeadObject, …), for CRT and the logs
 * @param key            the object key, "" for the bucket
 * @param query          unencoded parameters (sorted and encoded when sent, as SigV4 wants)
 * @param type           how CRT runs it: DEFAULT is one request; GET_OBJECT splits a GET into
 *                       parallel parts (the store must send ETags); PUT_OBJECT uploads {@code upload}
 * @param sink           where the body goes, or null to drop it
 * @param upload         the file a PUT sends, or null
 * @param body           what a DEFAULT request sends, or null
 * @param verifyChecksum ask for the store's checksum of the object and fail on a mismatch (stores
 *                       send one only for whole-object GETs)
 */
public record S3Request(String operation, String method, String key, Map<String, String> query, List<HttpHeader> headers,
                        MetaRequestType type, S3Connection.BodySink sink, Path upload, RequestBody body, boolean verifyChecksum) {

    public static S3Request of(String operation, String method, String key) {
        return new S3Request(operation, method, key, Map.of(), List.of(), MetaRequestType.DEFAULT, null, null, null, false);
    }

    public S3Request withQuery(Map<String, String> q) {
        return new S3Request(operation, method, key, q, headers, type, sink, upload, body, verifyChecksum);
    }

    public S3Request withHeaders(List<HttpHeader> h) {
        return new S3Request(operation, method, key, query, h, type, sink, upload, body, verifyChecksum);
    }

    public S3Request withType(MetaRequestType t) {
        return new S3Request(operation, method, key, query, headers, t, sink, upload, body, verifyChecksum);
    }

    public S3Request withSink(S3Connection.BodySink s) {
        return new S3Request(operation, method, key, query, headers, type, s, upload, body, verifyChecksum);
    }

    public S3Request withUpload(Path file) {
        return new S3Request(operation, method, key, query, headers, MetaRequestType.PUT_OBJECT, sink, file, body, verifyChecksum);
    }

    S3Request withBody(RequestBody b) {
        return new S3Request(operation, method, key, query, headers, type, sink, upload, b, verifyChecksum);
    }

    public S3Request withVerifiedChecksum() {
        return new S3Request(operation, method, key, query, headers, type, sink, upload, body, true);
    }
}
