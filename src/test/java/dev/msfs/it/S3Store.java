package dev.msfs.it;

import dev.msfs.backend.s3.S3Connection;
import dev.msfs.backend.s3.S3Request;
import dev.msfs.config.TypeSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32;
import software.amazon.awssdk.crt.http.HttpHeader;

/**
 * An S3-compatible server for tests, run by the test as a child process on 127.0.0.1: S3Proxy
 * (two releases), moto's server, or s3rver. Objects are uploaded through the S3 API.
 */
interface S3Store extends AutoCloseable {
    String name();

    String endpoint();

    String accessKey();

    String secret();

    void createBucket(String bucket) throws Exception;

    /** Whether PUTs may carry x-amz-checksum-crc32 (as current SDKs send); a store that refuses it gets none. */
    default boolean takesChecksums() {
        return true;
    }

    /** Whether the store lists and aborts uploads in parts (s3rver answers 501 and 405). */
    default boolean managesUploads() {
        return true;
    }

    default TypeSettings.S3 settings() {
        return new TypeSettings.S3("us-east-1", endpoint(), accessKey(), secret(), false, false, false, "default",
                Path.of("/nonexistent"), Path.of("/nonexistent"), false, false, false, 10, 2.0, 200, 60_000);
    }

    /** A connection to {@code bucket} for uploads; one serves any number of threads. */
    default S3Connection connect(String bucket) throws Exception {
        return new S3Connection(settings(), bucket);
    }

    /** Uploads {@code file} as {@code key}. */
    default void put(String bucket, String key, Path file) throws Exception {
        try (S3Connection c = connect(bucket)) {
            put(c, key, file);
        }
    }

    /** Uploads {@code file} as {@code key} through {@code c}, with its CRC32 where the store takes checksums. */
    default void put(S3Connection c, String key, Path file) throws Exception {
        List<HttpHeader> headers = new java.util.ArrayList<>(List.of(new HttpHeader("Content-Length", Long.toString(Files.size(file)))));
        if (takesChecksums()) {
            headers.add(new HttpHeader("x-amz-checksum-crc32", crc32(file)));
        }
        c.send(S3Request.of("PutObject", "PUT", key).withHeaders(headers).withUpload(file));
    }

    /**
     * The keys of the uploads in parts open below {@code prefix} (ListMultipartUploads), one entry
     * per upload, so that a test's "none left" can fail.
     */
    static List<String> openUploads(S3Connection c, String prefix) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<Upload>.*?<Key>([^<]*)</Key>", java.util.regex.Pattern.DOTALL)
                .matcher(body(c, S3Request.of("ListMultipartUploads", "GET", "").withQuery(java.util.Map.of("uploads", "", "prefix", prefix))));
        List<String> keys = new java.util.ArrayList<>();
        while (m.find()) {
            keys.add(m.group(1));
        }
        return keys;
    }

    /** How many parts the store holds of the one open upload of {@code key} (ListMultipartUploads, then ListParts); 0 if none is open. */
    static int partsOf(S3Connection c, String key) throws Exception {
        java.util.regex.Matcher upload = java.util.regex.Pattern.compile("<Upload>\\s*<Key>" + java.util.regex.Pattern.quote(key)
                + "</Key>\\s*<UploadId>([^<]*)</UploadId>").matcher(body(c, S3Request.of("ListMultipartUploads", "GET", "")
                .withQuery(java.util.Map.of("uploads", "", "prefix", key))));
        if (!upload.find()) {
            return 0;
        }
        String parts = body(c, S3Request.of("ListParts", "GET", key).withQuery(java.util.Map.of("uploadId", upload.group(1))));
        return parts.split("<Part>", -1).length - 1;
    }

    private static String body(S3Connection c, S3Request req) throws Exception {
        return new String(c.sendForBody(req), java.nio.charset.StandardCharsets.UTF_8);
    }

    static String crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits (60 s at most) until {@code process} listens on {@code port}; false if it exited or never did. */
    static boolean awaitListening(Process process, int port) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    /** Ends a child process and its children (npm and python launchers fork). */
    static void stop(Process process) throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
            }
        }
    }
}
