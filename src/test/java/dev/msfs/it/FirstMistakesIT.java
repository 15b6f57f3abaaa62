package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usual first mistakes with an S3 bucket, each said at start in one line that names the
 * backend, its endpoint and bucket, and the store's answer (the probe), both by the mount and by
 * {@code check-config --probe}: a missing bucket, a wrong port, a wrong secret.
 */
class FirstMistakesIT {
    private static Path config(Path dir, String name, String endpoint, String bucket, String secret) throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                msfs_version: 1
                allow_other: false
                backends:
                  - dir_name: data
                    backend_type: S3
                    bucket_container_name: %s
                    S3: {endpoint: "%s", access_key_id: %s, secret_access_key: %s, request_timeout: 5000}
                """.formatted(bucket, endpoint, S3Server.ACCESS_KEY, secret));
    }

    @Test
    void eachMistakeIsOneLineNamingTheBackendEndpointAndAnswer(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (S3Server s3 = new S3Server(dir)) {
            s3.createBucket("real");
            record Mistake(String name, Path config, String answer) {
            }
            Mistake[] mistakes = {
                new Mistake("missing-bucket", config(dir, "missing-bucket", s3.endpoint(), "nope", S3Server.SECRET), "NoSuchBucket"),
                new Mistake("wrong-port", config(dir, "wrong-port", "http://127.0.0.1:" + closedPort, "real", S3Server.SECRET),
                        "CONNECTION_REFUSED"),
                new Mistake("wrong-secret", config(dir, "wrong-secret", s3.endpoint(), "real", "not-the-secret"), "HTTP 403"),
            };
            for (Mistake m : mistakes) {
                String endpoint = m.name.equals("wrong-port") ? "http://127.0.0.1:" + closedPort : s3.endpoint();
                String bucket = m.name.equals("missing-bucket") ? "nope" : "real";
                String named = "backend data (S3 " + endpoint + " bucket " + bucket + "): the store does not answer the probe: ";

                MsfsProcess.Result check = MsfsProcess.run("check-config", "--probe", m.config.toString());
                assertEquals(1, check.status(), m.name + "\n" + check.out() + check.err());
                String line = check.out().lines().filter(l -> l.startsWith("# probe: ")).findFirst().orElseThrow();
                assertTrue(line.contains(named) && line.contains(m.answer), m.name + ": " + line);

                Path mnt = Files.createDirectories(dir.resolve("mnt-" + m.name));
                try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", m.config.toString())) {
                    String log = msfs.log();
                    assertEquals(1, log.lines().filter(l -> l.contains(named) && l.contains(m.answer)).count(), m.name + ":\n" + log);
                    if (m.name.equals("missing-bucket")) {
                        try (var names = Files.list(mnt.resolve("data"))) {
                            assertEquals(0, names.count());
                        } catch (java.io.IOException refused) {
                            // an error is as good as empty here; what matters is the log line below
                        }
                        try (var again = Files.list(mnt.resolve("data"))) {
                            again.count();
                        } catch (java.io.IOException refused) {
                            // as above
                        }
                        assertEquals(1, msfs.log().lines().filter(l -> l.contains("the bucket does not exist")).count(), msfs.log());
                    }
                }
            }
            MsfsProcess.Result fine = MsfsProcess.run("check-config", "--probe", config(dir, "fine", s3.endpoint(), "real",
                    S3Server.SECRET).toString());
            assertEquals(0, fine.status(), fine.out() + fine.err());
            assertTrue(fine.out().contains("# probe: backend data (S3 " + s3.endpoint() + " bucket real): the store answers"), fine.out());
        }
    }
}
