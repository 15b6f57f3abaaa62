package dev.msfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretScanTest {
    @Test
    void findsEverySecretInEveryLineOfEveryFileBelowTheRoots(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs/deep"));
        Files.writeString(logs.resolve("a.log"), "clean\nGET with " + TestSecrets.AIS_TOKEN + "\nclean\n");
        Files.write(dir.resolve("console.txt"), ("\u00ff\u0000binary " + TestSecrets.S3PROXY).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        Files.writeString(dir.resolve("clean.txt"), "nothing here\n");
        SecretScan.Result r = SecretScan.scan(TestSecrets.all(), List.of(dir.resolve("logs"), dir.resolve("console.txt"),
                dir.resolve("clean.txt"), dir.resolve("missing")));
        assertEquals(3, r.files());
        assertEquals(List.of(new SecretScan.Finding("ais_token", logs.resolve("a.log"), 2),
                new SecretScan.Finding("s3proxy", dir.resolve("console.txt"), 1)), r.findings());
    }

    @Test
    void everySecretIsDistinctive() {
        TestSecrets.all().forEach((name, value) -> assertTrue(value.length() >= 10 && value.matches(".*\\d.*"),
                name + " is too common a string to scan logs for"));
    }
}
