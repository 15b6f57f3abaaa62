package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bucket on a real S3 server (S3Proxy) mounted twice, once listing live and once from the
 * manifest that `msfs generate-manifest` wrote: the same tree, no LIST or HEAD from the manifest's
 * side, reads pinned to the manifest's ETags.
 */
class ManifestIT {
    /** Every entry below {@code root}: relative path to kind, size and mtime in seconds, as `ls -lR` shows them. */
    private static Map<String, String> lsR(Path root) throws IOException {
        Map<String, String> all = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> !p.equals(root)).toList()) {
                boolean dir = Files.isDirectory(p);
                all.put(root.relativize(p).toString(), dir ? "d" : "f " + Files.size(p) + " "
                        + Files.getLastModifiedTime(p).toMillis() / 1000);
            }
        }
        return all;
    }

    @Test
    void generateThenMountFromTheManifest(@TempDir Path work) throws Exception {
        try (S3Server server = new S3Server(work)) {
            Path data = server.bucket("data");
            Files.createDirectories(data.resolve("ds/train/shard-a"));
            Files.writeString(data.resolve("ds/train/shard-a/x.bin"), "x".repeat(5000));
            Files.writeString(data.resolve("ds/top.txt"), "top");
            Files.writeString(data.resolve("ds/ünï ☃.txt"), "named");
            server.put("data", "ds/changes.bin", Files.writeString(work.resolve("before"), "before")); // through S3: with an ETag
            Path many = Files.createDirectories(data.resolve("ds/many"));
            for (int i = 0; i < 1500; i++) {
                Files.writeString(many.resolve(String.format("s%04d", i)), Integer.toString(i));
            }
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path manifest = work.resolve("manifest");
            String s3 = "{endpoint: \"" + server.endpoint() + "\", region: us-east-1, access_key_id: " + S3Server.ACCESS_KEY
                    + ", secret_access_key: " + S3Server.SECRET + "}";
            Path cfg = Files.writeString(work.resolve("c.yaml"), """
                    msfs_version: 1
                    allow_other: false
                    endpoint: http://127.0.0.1:%d
                    backends:
                      - {dir_name: live, backend_type: S3, bucket_container_name: data, prefix: ds/, S3: %s}
                      - {dir_name: m, backend_type: S3, bucket_container_name: data, prefix: ds/, manifest_path: "%s",
                         manifest_gen_workers: 8, directory_page_size: 100, flat_dir_confirmation_pages: 2, S3: %s}
                    """.formatted(port, s3, manifest, s3));

            MsfsProcess.Result generated = MsfsProcess.run("generate-manifest", "--backend", "m", cfg.toString());
            assertEquals(0, generated.status(), generated.err());
            assertTrue(generated.out().startsWith("manifest of m written to " + manifest + ": 1504 objects"), generated.out());
            // many/ (1,500 objects in pages of 100, no subdirectory): past 2 pages, listed in ranges with S3's start-after
            assertTrue(generated.out().contains("; 1 flat directory listed in ranges at once"), generated.out());
            assertTrue(Files.readString(manifest.resolve("manifest_index.json")).contains("\"prefix\" : \"ds/\""));
            MsfsProcess.Result unknown = MsfsProcess.run("generate-manifest", "--backend", "nope", cfg.toString());
            assertEquals(2, unknown.status());
            assertTrue(unknown.err().contains("no backend has dir_name \"nope\" (there are: live, m)"), unknown.err());

            Path mnt = Files.createDirectories(work.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertTrue(msfs.log().contains("backend m: listings from the manifest " + manifest), msfs.log());
                Map<String, String> fromManifest = lsR(mnt.resolve("m"));
                assertEquals(lsR(mnt.resolve("live")), fromManifest);
                assertEquals(1500 + 7, fromManifest.size());
                assertEquals("x".repeat(5000), Files.readString(mnt.resolve("m/train/shard-a/x.bin")));

                Map<String, Double> metrics = MetricsIT.parse(MetricsIT.get(port, "/metrics").body());
                for (String op : new String[] {"list_directory", "stat_file", "stat_directory"}) {
                    for (String outcome : new String[] {"successes", "failures"}) {
                        assertEquals(0.0, metrics.get("backend_" + op + "_" + outcome + "_total{backend=\"m\"}"),
                                op + " reached the store from the manifest's side");
                    }
                }
                assertTrue(metrics.get("backend_list_directory_successes_total{backend=\"live\"}") > 0);
                assertTrue(metrics.get("backend_read_file_successes_total{backend=\"m\"}") >= 1);
                assertRewriteRefused(cfg, manifest);

                // Reload: the backend goes, and comes back listing from its manifest again.
                String withM = Files.readString(cfg);
                Files.writeString(cfg, withM.substring(0, withM.indexOf("  - {dir_name: m,")));
                ReloadIT.sighup(msfs);
                ReloadIT.await(msfs, "m removed", () -> !Files.exists(mnt.resolve("m")));
                Files.writeString(cfg, withM);
                ReloadIT.sighup(msfs);
                ReloadIT.await(msfs, "m added", () -> Files.exists(mnt.resolve("m/top.txt")));
                assertEquals(2, msfs.log().split("backend m: listings from the manifest", -1).length - 1, msfs.log());
                assertRewriteRefused(cfg, manifest);

                // Same size, other bytes: the manifest's ETag no longer matches, so the read fails; no mixed bytes.
                server.put("data", "ds/changes.bin", Files.writeString(work.resolve("after"), "after!")); // through S3: a new ETag
                assertThrows(IOException.class, () -> Files.readAllBytes(mnt.resolve("m/changes.bin")));
            }
        }
    }

    /**
     * A manifest of a million entries (1,000 directories of 1,000), served by a daemon with a 64 MiB
     * heap: a lookup in every directory, listings of a hundred, reads. Holding the names in the
     * heap (an index in a HashMap, or every listing the kernel's directories keep) would not fit.
     */
    @Test
    void aMillionEntriesServedFromA64MiBHeap(@TempDir Path work) throws Exception {
        Path cfg = millionEntryManifest(work, "subdirectories_at_depth_0: 1000, files_at_depth_1: 1000, file_size: 1000");
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"), mnt, "--config", cfg.toString())) {
            for (int d = 0; d < 1000; d++) {
                Path file = mnt.resolve(String.format("p/dir_%08X/file_%08X", d, (d * 7) % 1000));
                assertEquals(1000, Files.size(file), file.toString());
                if (d % 10 == 0) {
                    try (Stream<Path> listed = Files.list(file.getParent())) {
                        assertEquals(1000, listed.count());
                    }
                }
                if (d % 100 == 0) {
                    assertEquals(1000, Files.readAllBytes(file).length);
                }
            }
            assertStoppedCleanlyWithoutRunningOutOfMemory(msfs);
        }
    }
    /**
     * One flat directory of a million entries, listed whole through the mount by a daemon with a
     * 64 MiB heap: its manifest is read a page at a time. A snapshot of the directory at opendir
     * (a million names with their attributes) would not fit.
     */
    @Test
    void aFlatDirectoryOfAMillionIsListedFromA64MiBHeap(@TempDir Path work) throws Exception {
        Path cfg = millionEntryManifest(work, "files_at_depth_0: 1000000, file_size: 10");
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"), mnt, "--config", cfg.toString())) {
            long count = 0;
            String last = "";
            boolean ordered = true;
            try (java.nio.file.DirectoryStream<Path> listing = Files.newDirectoryStream(mnt.resolve("p"))) {
                for (Path entry : listing) {
                    String name = entry.getFileName().toString();
                    ordered &= name.compareTo(last) > 0;
                    last = name;
                    count++;
                }
            }
            assertEquals(1_000_000, count);
            assertTrue(ordered, "not in the manifest's order");
            assertEquals(String.format("file_%08X", 999_999), last);
            assertEquals(10, Files.size(mnt.resolve("p/file_0007A120")));
            assertStoppedCleanlyWithoutRunningOutOfMemory(msfs);
        }
    }

    /** The config of a PSEUDO backend "p" of a million objects ({@code pseudo}: its keys), with its manifest generated. */
    private static Path millionEntryManifest(Path work, String pseudo) throws Exception {
        Path cfg = Files.writeString(work.resolve("c.yaml"), """
                msfs_version: 1
                allow_other: false
                backends:
                  - {dir_name: p, backend_type: PSEUDO, manifest_path: "%s", PSEUDO: {%s}}
                """.formatted(work.resolve("manifest"), pseudo));
        MsfsProcess.Result generated = MsfsProcess.run("generate-manifest", "--backend", "p", "--workers", "4", cfg.toString());
        assertEquals(0, generated.status(), generated.err());
        assertTrue(generated.out().contains(": 1000000 objects"), generated.out());
        return cfg;
    }

    private static void assertStoppedCleanlyWithoutRunningOutOfMemory(MsfsProcess msfs) throws Exception {
        assertTrue(msfs.process().isAlive(), msfs.log());
        assertEquals(0, msfs.terminate(java.time.Duration.ofSeconds(30)), msfs.log());
        assertTrue(!msfs.log().contains("OutOfMemoryError"), msfs.log());
    }

    /** generate-manifest refuses to empty a manifest a mount lists from, and leaves it whole. */
    private static void assertRewriteRefused(Path cfg, Path manifest) throws Exception {
        MsfsProcess.Result r = MsfsProcess.run("generate-manifest", "--backend", "m", cfg.toString());
        assertTrue(r.status() != 0 && r.err().contains("the manifest in " + manifest + " is in use: a mount lists from it"),
                r.status() + ": " + r.err());
        assertTrue(Files.exists(manifest.resolve("manifest_index.json")), "the refused generation removed the index");
    }
}
