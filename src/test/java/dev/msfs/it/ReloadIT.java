package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.TestSecrets;
import dev.msfs.backend.PseudoBackend;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP on a live mount: backends come and go, anything else is refused, serving never stops. */
class ReloadIT {
    private static final String HEAD = "msfs_version: 1\nallow_other: false\nentry_attr_ttl: 100\nbackends:\n";
    private static final String A = "  - {dir_name: a, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2, file_size: 100000}}\n";
    private static final String B = "  - {dir_name: b, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 3, file_size: 5000}}\n";

    static void sighup(MsfsProcess msfs) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(msfs.process().pid())).start().waitFor());
    }

    /** Waits (bounded) until the condition holds; fails with the daemon's log otherwise. */
    static void await(MsfsProcess msfs, String what, Supplier<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what + "; log:\n" + msfs.log());
            }
            Thread.sleep(50);
        }
    }

    private static List<String> names(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (Exception e) {
            return List.of("error: " + e);
        }
    }

    private static int count(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void backendsAreAddedAndRemovedAndEverythingElseIsRefused(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("msfs.yaml");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Files.writeString(config, HEAD + A);
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", config.toString())) {
            assertEquals(List.of("a"), names(mnt));

            Files.writeString(config, HEAD + A + B);
            sighup(msfs);
            await(msfs, "backend b", () -> names(mnt).equals(List.of("a", "b")));
            assertEquals(5000, Files.readAllBytes(mnt.resolve("b/file_00000002")).length);

            try (FileChannel open = FileChannel.open(mnt.resolve("a/file_00000001"), StandardOpenOption.READ)) {
                Files.writeString(config, HEAD + B);
                sighup(msfs);
                await(msfs, "a removed", () -> names(mnt).equals(List.of("b")));
                ByteBuffer buf = ByteBuffer.allocate(1000);
                assertEquals(1000, open.read(buf, 50_000)); // a file open on a removed backend keeps reading
                assertEquals(PseudoBackend.contentByte("file_00000001", 50_000), buf.get(0));
            }

            Files.writeString(config, HEAD + B.replace("files_at_depth_0: 3", "files_at_depth_0: 4"));
            sighup(msfs);
            await(msfs, "a refusal", () -> msfs.log().contains("backends[b].(type section).files_at_depth cannot change"));
            assertEquals(List.of("file_00000000", "file_00000001", "file_00000002"), names(mnt.resolve("b")));

            int refusals = count(msfs.log(), "reload refused");
            Files.writeString(config, HEAD + "  - {dir_name: s, backend_type: S3, bucket_container_name: x,\n"
                    + "     S3: {access_key_id: AKIAEXAMPLE, secret_access_key: " + TestSecrets.RELOAD + ", endpoint: [\n");
            sighup(msfs);
            await(msfs, "a syntax refusal", () -> count(msfs.log(), "reload refused") > refusals);
            assertTrue(msfs.log().contains("not valid YAML/JSON"), msfs.log());
            assertFalse(msfs.log().contains(TestSecrets.RELOAD), "the secret reached the log");
            assertEquals(5000, Files.readAllBytes(mnt.resolve("b/file_00000000")).length);
            assertTrue(msfs.process().isAlive());
        }
    }

    @Test
    void autoSighupIntervalPicksUpAChangedFile(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("msfs.yaml");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        String head = HEAD.replace("backends:", "auto_sighup_interval: 1\nbackends:");
        Files.writeString(config, head + A);
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", config.toString())) {
            Files.writeString(config, head + A + B); // no signal: the timer notices the change
            await(msfs, "backend b from the timer", () -> names(mnt).equals(List.of("a", "b")));
            // logged just after b appears: wait for it rather than race it
            await(msfs, "the reload's log line", () -> msfs.log().contains("reload: added backend b"));
        }
    }
}
