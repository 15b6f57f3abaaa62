package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * s3rver (npm), a fourth implementation of S3, on its file store; scripts/test installs it under
 * target/s3rver. It ignores If-Match and encoding-type. Buckets are configured when it starts, so
 * they are named up front. Its default credentials are S3RVER/S3RVER.
 */
final class S3rverStore implements S3Store {
    static final Path INSTALL = Path.of(System.getProperty("s3rver.dir", "target/s3rver"));
    private final int port;
    private final Process process;

    S3rverStore(Path dir, String... buckets) throws Exception {
        port = S3Store.freePort();
        Path log = dir.resolve("s3rver.log");
        Path store = Files.createDirectories(dir.resolve("s3rver-store"));
        List<String> cmd = new ArrayList<>(List.of("node", bin().toString(), "--directory", store.toString(),
                "--address", "127.0.0.1", "--port", Integer.toString(port), "--silent"));
        for (String b : buckets) {
            cmd.addAll(List.of("--configure-bucket", b));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("NODE_OPTIONS", "--openssl-legacy-provider"); // else its continuation tokens fail on Node 18+
        process = pb.start();
        if (!S3Store.awaitListening(process, port)) {
            S3Store.stop(process);
            fail("s3rver did not start:\n" + Files.readString(log));
        }
    }

    private static Path bin() {
        return INSTALL.resolve("node_modules/s3rver/bin/s3rver.js");
    }

    static boolean installed() {
        return Files.isRegularFile(bin());
    }

    @Override
    public boolean managesUploads() {
        return false;
    }

    @Override
    public String name() {
        return "s3rver";
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return "S3RVER";
    }

    @Override
    public String secret() {
        return "S3RVER";
    }

    @Override
    public void createBucket(String bucket) {
        // configured at start
    }

    @Override
    public void close() throws InterruptedException {
        S3Store.stop(process);
    }
}
