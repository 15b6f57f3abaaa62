package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick start, its config taken word for word from the README, against S3Proxy. */
class QuickStartIT {
    /** The first yaml block after the "Quick start" heading, without the list's indentation. */
    static String quickStartConfig() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## Quick start");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        int end = readme.indexOf("```", start);
        assertTrue(section >= 0 && start > section && end > start, "no yaml block in the README's quick start");
        return readme.substring(start, end).lines().map(l -> l.replaceFirst("^ {3}", "")).reduce("", (a, b) -> a + b + "\n");
    }

    @Test
    void theReadmesQuickStartMountsAndLists(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("s3.yaml"), quickStartConfig());
        MsfsProcess.Result check = MsfsProcess.run("check-config", config.toString());
        assertEquals(0, check.status(), check.err());
        try (S3Server s3 = new S3Server(dir)) {
            s3.createBucket("my-bucket");
            s3.put("my-bucket", "hello.txt", Files.writeString(dir.resolve("hello"), "hello from S3"));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Map<String, String> env = Map.of("AWS_ENDPOINT", s3.endpoint(), "AWS_ACCESS_KEY_ID", s3.accessKey(),
                    "AWS_SECRET_ACCESS_KEY", s3.secret());
            try (MsfsProcess msfs = MsfsProcess.mount(env, mnt, "--config", config.toString())) {
                try (Stream<Path> names = Files.list(mnt.resolve("data"))) {
                    assertEquals(List.of("hello.txt"), names.map(p -> p.getFileName().toString()).toList());
                }
                assertEquals("hello from S3", Files.readString(mnt.resolve("data/hello.txt")));
            }
        }
    }
}
