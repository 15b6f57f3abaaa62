package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.TestSecrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * moto's S3 server ({@code moto_server}, which this machine's Python ships with boto3): a third
 * implementation of S3, in memory. It accepts any credentials.
 */
final class MotoStore implements S3Store {
    private final int port;
    private final Path log;
    private final Process process;

    MotoStore(Path dir) throws Exception {
        port = S3Store.freePort();
        log = dir.resolve("moto.log");
        process = new ProcessBuilder("moto_server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!S3Store.awaitListening(process, port)) {
            S3Store.stop(process);
            fail("moto_server did not start:\n" + Files.readString(log));
        }
    }

    static boolean installed() {
        try {
            return new ProcessBuilder("moto_server", "--help").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "moto";
    }

    @Override
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public String accessKey() {
        return "moto-key";
    }

    @Override
    public String secret() {
        return TestSecrets.MOTO;
    }

    /** moto does not check signatures, so a plain PUT creates the bucket. */
    @Override
    public void createBucket(String bucket) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                fail("moto: create bucket " + bucket + ": HTTP " + r.statusCode() + " " + r.body());
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        S3Store.stop(process);
    }
}
