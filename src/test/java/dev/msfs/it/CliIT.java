package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user sees from the command line when things are wrong: one line, a status, no stack trace. */
class CliIT {
    private static void assertOneLineError(MsfsProcess.Result r, int status, String fragment) {
        assertEquals(status, r.status(), r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("msfs: error: "), err);
        assertTrue(err.contains(fragment), err);
        assertFalse(err.contains("\n"), "more than one line: " + err);
        assertFalse(err.contains("\tat "), "stack trace: " + err);
    }

    @Test
    void aBadConfigNamesFileLineAndKey(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "msfs_version: 1\nbackends:\n  - dir_name: x\n    backend_type: PSEUDO\n    PSUEDO: {}\n");
        String named = bad + ":5: backends[0].PSUEDO: unknown key (did you mean \"PSEUDO\"?)";
        // As MSFS, an unknown key is not fatal; unlike MSFS, it is never silent: a warning naming it.
        MsfsProcess.Result warned = MsfsProcess.run("check-config", bad.toString());
        assertEquals(0, warned.status(), warned.err());
        assertTrue(warned.err().startsWith("msfs: warning: " + named), warned.err());
        assertOneLineError(MsfsProcess.run("check-config", "--strict", bad.toString()), 2, named);
        Path strict = Files.writeString(dir.resolve("strict.yaml"), "strict: true\n" + Files.readString(bad));
        assertOneLineError(MsfsProcess.run("mount", "--config", strict.toString(), dir.toString()), 2,
                strict + ":6: backends[0].PSUEDO: unknown key (did you mean \"PSEUDO\"?)");
        assertOneLineError(MsfsProcess.run("mount", "--config", dir.resolve("none.yaml").toString(), dir.toString()), 2,
                "no such config file");
    }

    @Test
    void aMissingMountpointIsNamed(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("not-here");
        assertOneLineError(MsfsProcess.run("mount", "--demo", missing.toString()), 1,
                "mount point " + missing + " is not an existing directory");
    }

    @Test
    void aMountpointAlreadyMountedIsRefused(@TempDir Path mnt) throws Exception {
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--demo")) {
            assertOneLineError(MsfsProcess.run("mount", "--demo", mnt.toString()), 1, "is already mounted");
            assertTrue(msfs.process().isAlive());
        }
    }

    @Test
    void aBackendThatCannotBeBuiltIsAConfigError(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "msfs_version: 1\nbackends:\n  - {dir_name: l, backend_type: LOCAL, LOCAL: {base_path: "
                + dir.resolve("absent") + "}}\n");
        assertOneLineError(MsfsProcess.run("mount", "--config", cfg.toString(), dir.toString()), 2,
                "LOCAL.base_path " + dir.resolve("absent") + " is not a directory");
    }

    @Test
    void everyShippedExampleIsValid() throws Exception {
        try (Stream<Path> examples = Files.list(Path.of("config-examples"))) {
            for (Path e : examples.filter(p -> p.toString().matches(".*\\.(yaml|yml|json)")).toList()) {
                MsfsProcess.Result r = MsfsProcess.run("check-config", e.toString());
                assertEquals(0, r.status(), e + ": " + r.err());
                assertTrue(r.out().contains(": valid"), r.out());
            }
        }
    }

    /** The example config of MSFS's own README (kept verbatim in test resources) mounts as it is. */
    @Test
    void theMsfsReadmeExampleMountsUnchanged(@TempDir Path dir) throws Exception {
        Path awsConfig = dir.resolve("aws-config");
        Files.writeString(awsConfig, "[default]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n");
        Path awsCredentials = dir.resolve("aws-credentials");
        Files.writeString(awsCredentials, "[default]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = " + TestSecrets.AWS_FILE + "\n");
        java.util.Map<String, String> env = java.util.Map.of("AWS_CONFIG_FILE", awsConfig.toString(),
                "AWS_SHARED_CREDENTIALS_FILE", awsCredentials.toString());
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(env, mnt, "--config", "src/test/resources/msfs-readme-example.yaml");
             Stream<Path> root = Files.list(mnt)) {
            assertEquals(java.util.List.of("ais", "minio"), root.map(p -> p.getFileName().toString()).sorted().toList());
            assertFalse(msfs.log().contains("minioadmin"), "a secret reached the log");
        }
    }

    @Test
    void aFailedStartNeverShowsTheSecret(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "msfs_version: 1\nbackends:\n  - {dir_name: s, backend_type: S3, bucket_container_name: b,\n"
                + "     S3: {access_key_id: AKIAEXAMPLE, secret_access_key: " + TestSecrets.CLI + ", endpoint: \"ftp://x\"}}\n");
        MsfsProcess.Result r = MsfsProcess.run("mount", "--config", cfg.toString(), dir.toString());
        assertOneLineError(r, 2, "backends[0].S3.endpoint");
        assertFalse((r.out() + r.err()).contains(TestSecrets.CLI));
        Files.writeString(cfg, "msfs_version: 1\nbackends:\n  - {dir_name: s, backend_type: S3, bucket_container_name: b,\n"
                + "     S3: {access_key_id: AKIAEXAMPLE, secret_access_key: [" + TestSecrets.CLI + "]}}\n");
        r = MsfsProcess.run("check-config", cfg.toString());
        assertOneLineError(r, 2, "secret_access_key: expected a single value");
        assertFalse((r.out() + r.err()).contains(TestSecrets.CLI));
        Files.writeString(cfg, "msfs_version: 1\nbackends:\n  - {dir_name: s, backend_type: S3, bucket_container_name: b,\n"
                + "     S3: {access_key_id: AKIAEXAMPLE, secret_access_key: " + TestSecrets.CLI + "}}\n");
        r = MsfsProcess.run("check-config", cfg.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("secret_access_key: \"(redacted)\""), r.out());
        assertFalse((r.out() + r.err()).contains(TestSecrets.CLI));
    }

    @Test
    void anMscProfileConfigMountsItsProfiles(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data/sub"));
        Files.writeString(data.resolve("hello.txt"), "from an MSC profile");
        Path cfg = dir.resolve("msc.yaml");
        Files.writeString(cfg, "profiles:\n  mine:\n    storage_provider:\n      type: file\n      options: {base_path: "
                + dir.resolve("data") + "}\nposix: {allow_other: false}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            assertEquals("from an MSC profile", Files.readString(mnt.resolve("mine/sub/hello.txt")));
        }
    }

    @Test
    void versionAndHelp() throws Exception {
        MsfsProcess.Result v = MsfsProcess.run("version");
        assertEquals(0, v.status());
        assertTrue(v.out().contains("libfuse 3."), v.out());
        for (String cmd : new String[] {"mount", "check-config", "version"}) {
            MsfsProcess.Result h = MsfsProcess.run(cmd, "--help");
            assertEquals(0, h.status(), cmd);
            assertTrue(h.out().startsWith("Usage: msfs " + cmd), h.out());
        }
    }

    /**
     * Run by an older Java (the distribution's default, 17 here, which scripts/test installs when
     * no older one is present), the jar says which Java it needs, in one line, with exit status 1.
     */
    @Test
    void anOlderJavaIsToldWhichJavaMsfsNeeds() throws Exception {
        Path older = null;
        try (var jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            for (Path home : jvms.sorted().toList()) {
                Path java = home.resolve("bin/java");
                if (Files.isExecutable(java) && !home.equals(Path.of(System.getProperty("java.home")).toRealPath())
                        && Files.exists(home.resolve("release")) && !Files.readString(home.resolve("release")).contains("JAVA_VERSION=\"25")) {
                    older = java;
                    break;
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(older != null, "no Java older than 25 under /usr/lib/jvm");
        Process p = new ProcessBuilder(older.toString(), "-jar", Path.of("target/msfs.jar").toAbsolutePath().toString(), "version")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.matches("msfs: error: msfs needs Java 25 or later \\(found (1\\.)?\\d+, .*"), out);
        assertEquals(1, out.lines().count(), "one line, no stack trace: " + out);
    }

    /** MSFS's own command line: {@code msfs CONFIG} mounts at $MSFS_MOUNTPOINT (as its helper calls it), {@code -v} prints the version. */
    @Test
    void msfsConfigMountsAsMsfsIsCalled(@TempDir Path dir) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\nmountpoint: /nonexistent\n"
                + "backends:\n  - {dir_name: p, backend_type: PSEUDO}\n");
        try (MsfsProcess msfs = MsfsProcess.launch(java.util.Map.of("MSFS_MOUNTPOINT", mnt.toString()), mnt, cfg.toString())) {
            try (Stream<Path> names = Files.list(mnt)) {
                assertEquals(java.util.List.of("p"), names.map(p -> p.getFileName().toString()).toList());
            }
        }
        MsfsProcess.Result v = MsfsProcess.run("-v");
        assertEquals(0, v.status(), v.err());
        assertTrue(v.out().startsWith("msfs "), v.out());
    }
}
