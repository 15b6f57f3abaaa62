package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.TestSecrets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real S3-compatible server for tests: S3Proxy (copied to target/ by the build: the current
 * release as s3proxy.jar, an old 2.x one as s3proxy-2.jar) as a child process on 127.0.0.1, its
 * filesystem store under a temporary directory, so it can be stopped and started again with its
 * data. Objects are seeded through the S3 API (PUT) or, for many small ones, as files in the store.
 */
final class S3Server implements S3Store {
    /** The S3Proxy 2.x jar the build copies: an older implementation, without checksum mode. */
    static final Path OLD_JAR = Path.of("target/s3proxy-2.jar");

    static final String ACCESS_KEY = "msfs-test-access";
    static final String SECRET = TestSecrets.S3PROXY;
    static final String REGION = "us-east-1";

    private final Path store;
    private final int port;
    private final Path log;
    private final Path jar;
    private Process process;

    S3Server(Path dir) throws IOException, InterruptedException {
        this(dir, Path.of(System.getProperty("s3proxy.jar", "target/s3proxy.jar")));
    }

    S3Server(Path dir, Path jar) throws IOException, InterruptedException {
        this.jar = jar;
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

    @Override
    public String name() {
        return "S3Proxy " + jar.getFileName();
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return ACCESS_KEY;
    }

    @Override
    public String secret() {
        return SECRET;
    }

    /** S3Proxy 2.x answers 501 to a PUT that carries x-amz-checksum-crc32. */
    @Override
    public boolean takesChecksums() {
        return !jar.equals(OLD_JAR);
    }

    @Override
    public void createBucket(String name) throws IOException {
        bucket(name);
    }

    /** A bucket is a directory of the filesystem store. */
    Path bucket(String name) throws IOException {
        return Files.createDirectories(store.resolve(name));
    }

    void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "-jar", jar.toString(), "--properties", store.getParent().resolve("s3proxy.conf").toString())
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
        S3Store.stop(process);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
