package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.backend.BackendException;
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
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import software.amazon.awssdk.crt.http.HttpHeader;

/**
 * A real S3-compatible server for tests: S3Proxy (copied to target/s3proxy.jar by the build) as
 * a child process on 127.0.0.1, its filesystem store under a temporary directory, so it can be
 * stopped and started again with its data. Objects are seeded through the S3 API (PUT) or, for
 * many small ones, as files in the store.
 */
final class S3Server implements AutoCloseable {
    static final String ACCESS_KEY = "msfs-test-access";
    static final String SECRET = "msfs-test-secret-7f3a9c";
    static final String REGION = "us-east-1";

    private final Path store;
    private final int port;
    private final Path log;
    private Process process;

    S3Server(Path dir) throws IOException, InterruptedException {
        this.store = Files.createDirectories(dir.resolve("store"));
        this.log = dir.resolve("s3proxy.log");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + store,
                "") );
        start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A bucket is a directory of the filesystem store. */
    Path bucket(String name) throws IOException {
        return Files.createDirectories(store.resolve(name));
    }

    void start() throws IOException, InterruptedException {
        String jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar")).toString();
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-jar", jar, "--properties", store.getParent().resolve("s3proxy.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("S3Proxy exited:\n" + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        fail("S3Proxy did not listen on " + port + ":\n" + Files.readString(log));
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * Uploads a file as an object through the S3 API with its CRC32, as current SDKs do; S3Proxy
     * records the ETag and the checksum, and sends the checksum back on whole-object GETs.
     */
    void put(String bucket, String key, Path file) throws BackendException, IOException {
        CRC32 crc = new CRC32();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        String checksum = Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        try (S3Connection c = new S3Connection(settings(SECRET, 120_000), bucket)) {
            c.send(S3Request.of("PutObject", "PUT", key).withHeaders(List.of(
                    new HttpHeader("Content-Length", Long.toString(Files.size(file))),
                    new HttpHeader("x-amz-checksum-crc32", checksum))).withUpload(file));
        }
    }

    TypeSettings.S3 settings(String secret, long timeoutMillis) {
        return new TypeSettings.S3(REGION, endpoint(), ACCESS_KEY, secret, false, false, false, "default",
                Path.of("/nonexistent"), Path.of("/nonexistent"), false, false, false, 10, 2.0, 200, timeoutMillis);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
