package dev.msfs.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.LocalBackend;
import dev.msfs.backend.MeteredBackend;
import dev.msfs.backend.ObjectInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MSFS's manifest format both ways, generation against live listings, and a backend served from a manifest. */
class ManifestTest {
    /** Requests that reached the store, by op (list_directory, stat_file, …). */
    private final Map<String, AtomicInteger> storeCalls = new ConcurrentHashMap<>();

    private Backend store(Path data, int pageSize) throws BackendException {
        return new MeteredBackend(new LocalBackend(data, "", pageSize, false),
                (op, target, failure, nanos, bytes) -> storeCalls.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet());
    }

    private static dev.msfs.config.ManifestSettings settings(Path manifest, int workers) {
        return new dev.msfs.config.ManifestSettings(manifest, workers, dev.msfs.config.ManifestSettings.DEFAULT_FLAT_DIR_CONFIRMATION_PAGES);
    }

    private int listsAndStats() {
        return storeCalls.entrySet().stream().filter(e -> !e.getKey().equals("read_file")).mapToInt(e -> e.getValue().get()).sum();
    }

    /** A tree with a directory of more entries than a page, nesting, odd names, and an empty file. */
    private static Path tree(Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(data.resolve("a/b/c"));
        Files.writeString(data.resolve("a/b/c/deep.txt"), "deep");
        Files.writeString(data.resolve("a/x.txt"), "x");
        Files.writeString(data.resolve("with space ünï ☃.txt"), "spaced");
        Files.write(data.resolve("empty"), new byte[0]);
        Path many = Files.createDirectories(data.resolve("many"));
        for (int i = 0; i < 2500; i++) {
            Files.writeString(many.resolve(String.format("f%05d", i)), Integer.toString(i));
        }
        return data;
    }

    /**
     * Every entry below {@code dir}, by path, as the backend lists it page by page: what a manifest
     * records (name, kind, size, time, ETag; not a LOCAL file's permissions).
     */
    private static Map<String, ObjectInfo> walk(Backend b, String dir) throws BackendException {
        Map<String, ObjectInfo> all = new TreeMap<>();
        String token = null;
        do {
            ListPage page = b.list(dir, token);
            for (ObjectInfo e : page.entries()) {
                all.put(dir + e.name(), e.directory() ? ObjectInfo.dir(e.name(), 0) // a directory's time is the walk's own
                        : new ObjectInfo(e.name(), false, e.size(), e.mtimeMillis(), e.etag()));
                if (e.directory()) {
                    all.putAll(walk(b, dir + e.name() + "/"));
                }
            }
            token = page.next();
        } while (token != null);
        return all;
    }

    @Test
    void linesRoundTripAndMsfsLinesParse() throws Exception {
        ObjectInfo f = new ObjectInfo("a b.bin", false, 1234, 1_700_000_000_123L, "9b2cf535f27731c974343645a3985328");
        assertEquals(f, ManifestFormat.parse(ManifestFormat.line(f, "x").stripTrailing(), "t:1"));
        // Written as MSFS writes them: Go's RFC3339Nano, nanoseconds and all, and "-" for a directory's etag.
        assertEquals(ObjectInfo.dir("sub", 1_735_787_045_123L),
                ManifestFormat.parse("d\tsub\t0\t-\t2025-01-02T03:04:05.123456789Z", "t:2"));
        assertEquals(new ObjectInfo("f", false, 7, 1_735_787_045_000L, "abc-2"),
                ManifestFormat.parse("f\tf\t7\tabc-2\t2025-01-02T04:04:05+01:00", "t:3"));
        assertEquals(null, ManifestFormat.parse("# a comment", "t:4"));
        assertEquals(null, ManifestFormat.parse("", "t:5"));
        for (String[] bad : new String[][] {
                {"f\tname\t12\tetag", "expected 5 tab-separated fields"},
                {"x\tname\t1\te\t2025-01-02T03:04:05Z", "kind \"x\" is neither d nor f"},
                {"f\tname\t-1\te\t2025-01-02T03:04:05Z", "size \"-1\" is not a whole number"},
                {"f\tname\tbig\te\t2025-01-02T03:04:05Z", "size \"big\""},
                {"f\tname\t1\te\tyesterday", "mtime \"yesterday\" is not an RFC 3339 time"},
                {"f\ta/b\t1\te\t2025-01-02T03:04:05Z", "\"a/b\" is not a base name"}}) {
            String message = assertThrows(ManifestFormat.BadLine.class, () -> ManifestFormat.parse(bad[0], "m.tsv:9")).getMessage();
            assertTrue(message.startsWith("m.tsv:9: ") && message.contains(bad[1]), message);
        }
        for (String t : List.of("2025-01-02T03:04:05Z", "2025-01-02T03:04:05.5Z", "2025-01-02T03:04:05.12Z", "2024-02-29T23:59:59.999Z",
                "2025-01-02T03:04:05.123456789Z", "1970-01-01T00:00:00Z", "2025-12-31T00:00:00.000000001Z")) {
            assertEquals(java.time.OffsetDateTime.parse(t).toInstant().toEpochMilli(), ManifestFormat.utcMillis(t), t);
        }
        for (String t : List.of("2025-01-02T03:04:05+01:00", "2025-02-30T03:04:05Z", "2025-01-02T24:04:05Z", "2025-01-02T03:04:05.Z",
                "2025-1-02T03:04:05Z", "2025-01-02 03:04:05Z")) {
            assertEquals(Long.MIN_VALUE, ManifestFormat.utcMillis(t), t + " is left to the general parser");
        }
        Path root = Path.of("/m");
        assertEquals(root.resolve("_root.tsv"), ManifestFormat.partOf(root, ""));
        assertEquals(root.resolve("a/b.tsv"), ManifestFormat.partOf(root, "a/b"));
        assertEquals(root.resolve("a/b.tsv"), ManifestFormat.partOf(root, "a/b/"), "a listing's directory form, too");
        assertEquals(root.resolve("etc/passwd.tsv"), ManifestFormat.partOf(root, "../../etc/passwd"), "keys never leave the folder");
    }

    /** A manifest written by hand as the reference describes MSFS's, loaded and served. */
    @Test
    void aManifestInMsfsFormatIsServed(@TempDir Path dir) throws Exception {
        Path m = Files.createDirectories(dir.resolve("m"));
        Files.writeString(m.resolve("_root.tsv"), """
                # written by hand, as MSFS writes it
                d\tds\t0\t-\t2025-06-01T00:00:00.5Z
                f\ttop.bin\t10\t"quoted-etag"\t2025-06-01T00:00:00Z
                """);
        Files.createDirectories(m.resolve("ds"));
        Files.writeString(m.resolve("ds.tsv"), "f\tshard-0.tar\t1048576\td41d8cd98f00b204e9800998ecf8427e\t2025-06-01T12:00:00.000000001Z\n");
        Files.writeString(m.resolve("manifest_index.json"), """
                {
                  "version": 2,
                  "format": "tsv",
                  "bucket": "train",
                  "prefix": "v1/",
                  "total_objects": 2,
                  "total_directories": 2,
                  "created_at": "2025-06-01T12:00:00Z"
                }""");
        Backend b = ManifestBackend.open(store(Files.createDirectories(dir.resolve("empty")), 1000), settings(m, 4), "t", "train", "v1/");
        assertEquals(List.of(ObjectInfo.dir("ds", 1_748_736_000_500L), new ObjectInfo("top.bin", false, 10, 1_748_736_000_000L,
                "\"quoted-etag\"")), b.list("", null).entries());
        assertEquals(1_048_576, b.stat("ds/shard-0.tar").orElseThrow().size());
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", b.stat("ds/shard-0.tar").orElseThrow().etag());
        assertTrue(b.stat("ds").orElseThrow().directory());
        assertTrue(b.stat("nope").isEmpty());
        assertFalse(b.list("nope/", null).keysBelow(), "a directory the manifest does not have does not exist");
        assertEquals(0, listsAndStats());
        String refused = assertThrows(BackendException.class, () -> ManifestBackend.open(store(dir, 1000), settings(m, 4), "t", "train", "v2/"))
                .getMessage();
        assertTrue(refused.contains("lists bucket \"train\", prefix \"v1/\", not this backend's \"train\", \"v2/\""), refused);
    }

    @Test
    void aGeneratedManifestListsWhatTheStoreListsAndTheStoreIsAskedNothingElse(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Backend live = store(data, 700); // pages of 700: "many" takes four
        Map<String, ObjectInfo> expected = walk(live, "");
        Path m = dir.resolve("manifest");
        ManifestGenerator g = new ManifestGenerator(live, m, 3);
        List<ManifestGenerator.Progress> reports = new ArrayList<>();
        ManifestFormat.Index index = g.generate("bucket", "", reports::add);
        assertEquals(2504, index.totalObjects());
        assertEquals(5, index.totalDirectories(), "the top, a, a/b, a/b/c and many");
        assertTrue(Files.readString(m.resolve("many.tsv")).lines().count() == 2500);

        storeCalls.clear();
        ManifestBackend served = ManifestBackend.open(live, settings(m, 3), "t", "bucket", "");
        assertTrue(served.ready());
        assertEquals(expected, walk(served, ""), "every name, size, ETag and time, as the store lists them");
        ListPage first = served.list("many/", null);
        assertEquals(ManifestBackend.PAGE, first.entries().size());
        assertTrue(first.next() != null);
        ObjectInfo last = served.stat("many/f02499").orElseThrow();
        assertEquals(expected.get("many/f02499"), new ObjectInfo(last.name(), false, last.size(), last.mtimeMillis(), last.etag()));
        assertTrue(served.stat("a/b").orElseThrow().directory());
        assertEquals(0, listsAndStats(), "listings and lookups never reach the store: " + storeCalls);
        java.lang.foreign.MemorySegment buf = java.lang.foreign.Arena.ofAuto().allocate(16);
        assertEquals(4, served.read("a/b/c/deep.txt", expected.get("a/b/c/deep.txt").etag(), 0, buf), "reads do");
        served.probe();
        assertEquals(0, listsAndStats(), "nor does the probe");
    }

    @Test
    void aBrokenManifestIsRefusedOrFailsItsDirectoryWholeNeverHalfUsed(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Path m = dir.resolve("manifest");
        new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { });

        Path many = m.resolve("many.tsv");
        List<String> lines = new ArrayList<>(Files.readAllLines(many));
        lines.set(1500, "f\tbroken");
        Files.write(many, lines);
        Backend b = ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "");
        String bad = assertThrows(BackendException.class, () -> b.list("many/", null)).getMessage();
        assertEquals(many + ":1501: expected 5 tab-separated fields (kind, name, size, etag, mtime), found 2", bad);

        String root = Files.readString(m.resolve("_root.tsv"));
        Files.writeString(m.resolve("_root.tsv"), root.substring(0, root.length() - 7)); // cut mid-line
        String cut = assertThrows(BackendException.class, () -> ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "")).getMessage();
        assertTrue(cut.contains("_root.tsv:") && cut.endsWith("the last line has no line break: the file was cut short"), cut);

        Files.writeString(m.resolve("manifest_index.json"), "{\"version\": 2, \"format\": \"tsv\", \"bucket\": \"b\",");
        String noIndex = assertThrows(BackendException.class, () -> {
            Files.move(m.resolve("manifest_index.json"), dir.resolve("aside.json"));
            try {
                ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "");
            } finally {
                Files.move(dir.resolve("aside.json"), m.resolve("manifest_index.json"));
            }
        }).getMessage();
        assertTrue(noIndex.endsWith("has directory files but no manifest_index.json: the manifest is not whole; run generate-manifest"
                + " again, or remove the folder to have it generated at mount"), noIndex);
        String json = assertThrows(BackendException.class, () -> ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "")).getMessage();
        assertTrue(json.contains("manifest_index.json:1: not valid JSON"), json);
    }

    /** No index: the store answers while the manifest is written, then the manifest does. */
    @Test
    void withoutAManifestOneIsGeneratedWhileTheStoreAnswers(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Path m = dir.resolve("later");
        Backend store = store(data, 1000);
        Map<String, ObjectInfo> expected = walk(store, "");
        ManifestBackend b = ManifestBackend.open(store, settings(m, 4), "t", "b", "");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!b.ready()) {
            assertTrue(b.list("", null).entries().size() >= 3, "the store answers meanwhile");
            assertTrue(System.nanoTime() < deadline, "the manifest was never written");
            Thread.sleep(20);
        }
        assertTrue(Files.isRegularFile(m.resolve(ManifestFormat.INDEX)));
        storeCalls.clear();
        assertEquals(expected, walk(b, ""));
        assertEquals(0, listsAndStats());
    }

    /** The output folder is emptied first, as MSFS does, but never when it holds anything but a manifest. */
    @Test
    void generationRefusesAFolderThatIsNotAManifest(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Path precious = Files.writeString(Files.createDirectories(dir.resolve("home")).resolve("notes.txt"), "keep me");
        String refused = assertThrows(java.io.IOException.class,
                () -> new ManifestGenerator(store(data, 1000), dir.resolve("home"), 2).generate("b", "", p -> { })).getMessage();
        assertTrue(refused.contains("is neither empty nor a manifest"), refused);
        assertEquals("keep me", Files.readString(precious));
        Path m = dir.resolve("m");
        new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { });
        Files.writeString(m.resolve("stale.tsv"), "f\told\t1\te\t2025-01-01T00:00:00Z\n");
        new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { });
        assertFalse(Files.exists(m.resolve("stale.tsv")), "a manifest's folder is rewritten whole");
    }

    /** A directory of objects only is sorted as the store listed it: lookups binary search and agree with a full scan. */
    @Test
    void lookupsInASortedDirectoryBinarySearchAndAgreeWithAScan(@TempDir Path dir) throws Exception {
        Path part = dir.resolve("flat.tsv");
        StringBuilder tsv = new StringBuilder();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            String name = String.format("k%06d%s", i * 3, "x".repeat(i % 37)); // lines of varied length
            names.add(name);
            tsv.append("f\t").append(name).append('\t').append(i).append("\te").append(i).append("\t2025-01-01T00:00:00Z\n");
        }
        Files.writeString(part, tsv);
        assertTrue(ManifestPart.check(part));
        for (int i = 0; i < names.size(); i += 7) {
            assertEquals(ManifestPart.find(part, names.get(i)), ManifestPart.search(part, names.get(i)), names.get(i));
            assertEquals(i, ManifestPart.search(part, names.get(i)).orElseThrow().size());
        }
        assertEquals(4999, ManifestPart.search(part, names.getLast()).orElseThrow().size());
        for (String absent : List.of("a", "k000001", "k014998y", "zzz", "k000003xx")) {
            assertTrue(ManifestPart.search(part, absent).isEmpty(), absent);
        }
        Files.writeString(dir.resolve("mixed.tsv"), "d\tz\t0\t-\t2025-01-01T00:00:00Z\nf\ta\t1\te\t2025-01-01T00:00:00Z\n");
        assertFalse(ManifestPart.check(dir.resolve("mixed.tsv")), "a page's directories come before its objects: not sorted");
    }

    /** From MSFS's PSEUDO tree too: the manifest lists what the live backend lists, page by page. */
    @Test
    void aManifestOfAPseudoTreeListsWhatItLists(@TempDir Path dir) throws Exception {
        Backend pseudo = new dev.msfs.backend.PseudoBackend(new dev.msfs.config.TypeSettings.Pseudo("dir_%08X", "file_%08X", 0, 0,
                4096, new long[] {3, 1200, 2, 0}, new long[] {2, 3, 0}, 500, 0, 0, 0));
        Map<String, ObjectInfo> expected = walk(pseudo, "");
        Path m = dir.resolve("m");
        ManifestFormat.Index index = new ManifestGenerator(pseudo, m, 4).generate("", "", p -> { });
        assertEquals(3 + 2 * 1200 + 6 * 2, index.totalObjects());
        assertEquals(expected, walk(ManifestBackend.open(pseudo, settings(m, 4), "p", "", ""), ""));
    }

    /** A store whose listing of {@code failing} fails, and whose top lists {@code extraTop} besides its own entries. */
    private Backend oddStore(Path data, String failing, List<ObjectInfo> extraTop) throws BackendException {
        Backend local = store(data, 1000);
        return new dev.msfs.backend.ReadsThrough(local) {
            @Override
            public ListPage list(String dir, String continuation) throws BackendException {
                if (dir.equals(failing)) { // null: none fails
                    throw new BackendException(BackendException.Kind.IO, "listing " + dir + " failed");
                }
                ListPage page = local.list(dir, continuation);
                if (!dir.isEmpty() || extraTop.isEmpty()) {
                    return page;
                }
                List<ObjectInfo> all = new ArrayList<>(page.entries());
                all.addAll(extraTop);
                return new ListPage(all, page.next());
            }

            @Override
            public java.util.Optional<ObjectInfo> stat(String path) throws BackendException {
                return local.stat(path);
            }
        };
    }

    @Test
    void aWalkThatFailsOrWouldCollideWritesNoIndexAndOddNamesAreLeftOut(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Path m = dir.resolve("m");
        String failed = assertThrows(BackendException.class,
                () -> new ManifestGenerator(oddStore(data, "a/b/", List.of()), m, 3).generate("b", "", p -> { })).getMessage();
        assertEquals("listing a/b/ failed", failed);
        assertFalse(Files.exists(m.resolve(ManifestFormat.INDEX)), "a walk that lost a directory leaves no manifest to take for whole");

        String collided = assertThrows(java.io.IOException.class, () -> new ManifestGenerator(
                oddStore(data, null, List.of(ObjectInfo.dir("_root", 0))), m, 3).generate("b", "", p -> { })).getMessage();
        assertTrue(collided.contains("would share the manifest file") && collided.contains("_root.tsv"), collided);
        assertFalse(Files.exists(m.resolve(ManifestFormat.INDEX)));

        ManifestGenerator g = new ManifestGenerator(oddStore(data, null, List.of(ObjectInfo.dir(".", 0), ObjectInfo.dir("..", 0),
                new ObjectInfo("tab\there", false, 1, 0, "e"))), m, 3);
        assertEquals(2504, g.generate("b", "", p -> { }).totalObjects());
        assertEquals(3, g.progress().skippedNames());
        assertFalse(Files.readString(m.resolve("_root.tsv")).contains("\t.\t"), "no entry named . or ..");
    }

    @Test
    void aDirectoryWhoseTsvIsMissingFailsAndAFolderOfForeignTsvFilesIsKept(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Path m = dir.resolve("m");
        new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { });
        Files.delete(m.resolve("a/b.tsv"));
        Backend b = ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "");
        String missing = assertThrows(BackendException.class, () -> b.list("a/b/", null)).getMessage();
        assertTrue(missing.endsWith("b.tsv is missing, though its parent lists the directory: the manifest is not whole"), missing);
        assertFalse(b.list("a/nope/", null).keysBelow(), "a directory no one lists is simply not there");

        Path folder = Files.createDirectories(dir.resolve("tsvs"));
        Files.writeString(folder.resolve("precious.tsv"), "mine");
        String refused = assertThrows(java.io.IOException.class,
                () -> new ManifestGenerator(store(data, 1000), folder, 2).generate("b", "", p -> { })).getMessage();
        assertTrue(refused.contains("is neither empty nor a manifest"), refused);
        assertEquals("mine", Files.readString(folder.resolve("precious.tsv")));
    }

    /** Names whose UTF-16 order differs from their UTF-8 byte order (the store's): the search follows the bytes. */
    @Test
    void aSortedDirectoryIsSortedByUtf8Bytes(@TempDir Path dir) throws Exception {
        List<String> names = new ArrayList<>(List.of("a", "\uFF61half", "\uD83D\uDE00emoji", "z", "\u00E9"));
        names.sort((x, y) -> java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                y.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        StringBuilder tsv = new StringBuilder();
        for (String n : names) {
            tsv.append("f\t").append(n).append("\t1\te\t2025-01-01T00:00:00Z\n");
        }
        Path part = Files.writeString(dir.resolve("u.tsv"), tsv);
        assertTrue(ManifestPart.check(part));
        for (String n : names) {
            assertEquals(n, ManifestPart.search(part, n).orElseThrow().name());
        }
    }

    /** A second generation into a folder being written is refused; it would delete what the first wrote. */
    @Test
    void aSecondGenerationIntoTheSameFolderIsRefusedWhileTheFirstRuns(@TempDir Path dir) throws Exception {
        Path data = tree(dir);
        Backend local = store(data, 1000);
        java.util.concurrent.CountDownLatch listing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Backend slow = new dev.msfs.backend.ReadsThrough(local) {
            @Override
            public ListPage list(String d, String continuation) throws BackendException {
                if (d.isEmpty()) {
                    listing.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return local.list(d, continuation);
            }

            @Override
            public java.util.Optional<ObjectInfo> stat(String path) throws BackendException {
                return local.stat(path);
            }
        };
        Path m = dir.resolve("m");
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return new ManifestGenerator(slow, m, 2).generate("b", "", p -> { });
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        listing.await();
        String refused = assertThrows(java.io.IOException.class,
                () -> new ManifestGenerator(local, m, 2).generate("b", "", p -> { })).getMessage();
        assertTrue(refused.startsWith("the manifest in ") && refused.contains(" is in use"), refused);
        release.countDown();
        assertEquals(2504, first.get().totalObjects());
        assertEquals(2504, new ManifestGenerator(local, m, 2).generate("b", "", p -> { }).totalObjects(), "free again once it ended");
    }

    /**
     * A flat directory past its confirmation pages is listed in ranges at once, where the store
     * lists from a name: the same entries, in the store's order (so lookups binary-search), names
     * past '~' in the open last range; a directory with a subdirectory among its first pages is not split.
     */
    @Test
    void aFlatDirectoryIsListedInRangesAtOnce(@TempDir Path dir) throws Exception {
        dev.msfs.backend.RamBackend ram = new dev.msfs.backend.RamBackend(new dev.msfs.config.TypeSettings.Ram(100, 100_000, 1 << 24));
        for (int i = 0; i < 5000; i++) {
            ram.put(String.format("flat/s%05d.bin", i * 7), new byte[] {(byte) i});
        }
        ram.put("flat/\u00e9t\u00e9", new byte[] {1}); // UTF-8 bytes past '~'
        for (int i = 0; i < 2000; i++) {
            ram.put(String.format("flat2/k%d", i), new byte[] {3}); // a second one, split at the same time
        }
        ram.put("mixed/a/x", new byte[] {1});
        for (int i = 0; i < 500; i++) {
            ram.put(String.format("mixed/m%04d", i), new byte[] {2});
        }
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        Backend store = new MeteredBackend(ram, (op, target, failure, nanos, bytes) ->
                calls.computeIfAbsent(target.contains(" after ") ? "listAfter" : op, k -> new AtomicInteger()).incrementAndGet());
        Map<String, ObjectInfo> expected = walk(ram, "");
        Path m = dir.resolve("m");
        ManifestGenerator g = new ManifestGenerator(store, m, 8, 3);
        assertEquals(7502, g.generate("b", "", p -> { }).totalObjects());
        assertEquals(2, g.progress().splitDirectories(), "flat/ and flat2/: mixed/ has a subdirectory in its first page");
        assertTrue(calls.get("listAfter").get() > 8, "ranges and probes: " + calls);
        assertEquals(expected, walk(ManifestBackend.open(ram, settings(m, 2), "t", "b", ""), ""));
        assertTrue(ManifestPart.check(m.resolve("flat.tsv")), "in the store's order, none twice");
        assertEquals(5001, Files.readAllLines(m.resolve("flat.tsv")).size());
        assertTrue(ManifestPart.check(m.resolve("flat2.tsv")));
        assertEquals(2000, Files.readAllLines(m.resolve("flat2.tsv")).size());
        try (var leftovers = Files.list(m)) {
            assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString().contains(".range-")).toList());
        }
    }

    /** MSFS's flat_dir_hints: the hinted directory is listed from its start in ranges of name prefixes, and nothing is lost. */
    @Test
    void aHintedDirectoryIsListedInRangesOfItsNamePrefixes(@TempDir Path dir) throws Exception {
        dev.msfs.backend.RamBackend ram = new dev.msfs.backend.RamBackend(new dev.msfs.config.TypeSettings.Ram(50, 100_000, 1 << 24));
        for (int i = 0; i < 3000; i++) {
            ram.put("shards/" + Integer.toString(i * 7919 % 100_000, 36), new byte[] {1}); // names start with 0-9 and a-z
        }
        ram.put("shards/_underscore", new byte[] {1}); // outside the hint's characters: the open ranges hold it
        ram.put("shards/~tilde", new byte[] {1});
        Map<String, ObjectInfo> expected = walk(ram, "");
        Path m = dir.resolve("m");
        ManifestGenerator g = new ManifestGenerator(ram, m, 8, 0,
                List.of(new dev.msfs.config.ManifestSettings.FlatDirHint("shards/", "0123456789abcdefghijklmnopqrstuvwxyz", 2)));
        assertEquals(3002, g.generate("b", "", p -> { }).totalObjects());
        assertEquals(1, g.progress().splitDirectories());
        assertEquals(expected, walk(ManifestBackend.open(ram, settings(m, 2), "t", "b", ""), ""));
        assertTrue(ManifestPart.check(m.resolve("shards.tsv")), "in order, none twice");
    }

    /**
     * A manifest that mounts list from is not rewritten, however many backends of this process
     * use it (a reload's second backend while the first still serves an open file): the lock is
     * counted, so the first one's close does not drop the second one's hold. Once both closed, a
     * generation may rewrite it.
     */
    @Test
    void aManifestInUseIsNotRewrittenWhileAnyBackendListsFromIt(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("a.txt"), "a");
        Path m = dir.resolve("m");
        new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { });
        ManifestBackend first = ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "");
        ManifestBackend second = ManifestBackend.open(store(data, 1000), settings(m, 2), "t", "b", "");
        first.close();
        String refused = assertThrows(java.io.IOException.class,
                () -> new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { })).getMessage();
        assertTrue(refused.contains(" is in use: a mount lists from it"), refused);
        assertTrue(Files.exists(m.resolve(ManifestFormat.INDEX)), "the refused generation touched the manifest");
        assertEquals(List.of("a.txt"), second.list("", null).entries().stream().map(ObjectInfo::name).toList());
        second.close();
        assertEquals(1, new ManifestGenerator(store(data, 1000), m, 2).generate("b", "", p -> { }).totalObjects(),
                "free once no backend lists from it");
    }

    /**
     * A store's page lists its objects, then its prefixes (S3's shape): the directory file is
     * written in name order, so lookups binary-search it and readdir pages through it.
     */
    @Test
    void aPageOfObjectsThenPrefixesIsWrittenInNameOrder(@TempDir Path dir) throws Exception {
        Backend s3Shaped = new Backend() {
            @Override
            public ListPage list(String d, String continuation) {
                if (!d.isEmpty()) {
                    return new ListPage(List.of(new ObjectInfo("x", false, 1, 1, "e")), null, true);
                }
                return new ListPage(List.of(new ObjectInfo("a.txt", false, 1, 1, "e"), new ObjectInfo("z.txt", false, 1, 1, "e"),
                        ObjectInfo.dir("m", 0), ObjectInfo.dir("é", 0)), null, true);
            }

            @Override
            public java.util.Optional<ObjectInfo> stat(String path) {
                return java.util.Optional.empty();
            }

            @Override
            public long read(String path, String etag, long offset, java.lang.foreign.MemorySegment dst) {
                return 0;
            }
        };
        Path m = dir.resolve("m");
        new ManifestGenerator(s3Shaped, m, 2).generate("b", "", p -> { });
        assertEquals(List.of("a.txt", "m", "z.txt", "é"), Files.readAllLines(m.resolve(ManifestFormat.ROOT)).stream()
                .filter(l -> !l.startsWith("#")).map(l -> l.split("\t")[1]).toList());
        ManifestBackend served = ManifestBackend.open(s3Shaped, settings(m, 2), "t", "b", "");
        assertTrue(served.pagesInOrder(""), "a sorted directory file is paged");
        served.close();
    }
}
