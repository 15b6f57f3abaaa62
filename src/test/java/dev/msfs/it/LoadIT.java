package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.PseudoBackend;
import dev.msfs.config.CacheStorageMode;
import dev.msfs.fuse.MountPoints;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sustained load through a real mount of a real S3 server: {@value #DEFAULT_THREADS} reader
 * threads over {@value #DEFAULT_FILES} objects (64 KiB to 1 MiB, nested prefixes) with a cache a
 * third of the working set, so lines are evicted and refetched all the time. Every byte read is
 * checked. Then the readers stop: no handle stays open, the daemon's RSS stayed within a bounded
 * overhead (plus the arena, where it is memory: {@code cache_storage: ram}; the default {@code
 * mapped-file} arena's pages are page cache, outside msfs's RSS), and NativeMemoryTracking shows
 * where its memory went. Last, the daemon is stopped (SIGTERM) under full load: it unmounts and
 * exits, readers get errors, never wrong bytes. CI runs it for {@code msfs.load.seconds} (30 s) in
 * both storages; {@code bench/load-test} runs it for minutes and keeps the reports ({@code
 * msfs.load.report}: the ram run's; the mapped-file run's beside it, named with {@code -mapped-file}).
 */
class LoadIT {
    private static final int DEFAULT_FILES = 2000;
    private static final int DEFAULT_THREADS = 16;
    private static final int FILES = Integer.getInteger("msfs.load.files", DEFAULT_FILES);
    private static final int THREADS = Integer.getInteger("msfs.load.threads", DEFAULT_THREADS);
    private static final int SECONDS = Integer.getInteger("msfs.load.seconds", 30);
    private static final String REPORT = System.getProperty("msfs.load.report", "");
    private static final String REVISION = System.getProperty("msfs.load.revision", "unknown");
    private static final long LINE = 256 << 10;
    private static final int MAX_READ = 256 << 10;
    private static final String HEAP = "256m";
    /** What the daemon may use besides an arena in memory: the heap above, metaspace, code, threads, CRT and libfuse buffers. */
    private static final long OVERHEAD_BOUND = 640L << 20;
    /** RSS growth allowed from the cache being full to the end of the run. */
    private static final long GROWTH_BOUND = 64L << 20;

    private static String key(int i) {
        return String.format("d%02d/e%d/f%05d.bin", i % 40, i % 3, i);
    }

    private static long size(int i) {
        return (1 + (i * 7919L) % 16) * 65536;
    }

    /** A resource reading of the daemon. */
    private record Sample(long rssKiB, long hwmKiB, int fds, int threads, long nmtCommittedKiB, String nmt) {
    }

    private static final class Readers {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        final List<String> errors = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Readers(Path root, int count, long seed) {
            for (int t = 0; t < count; t++) {
                long s = seed * 1000 + t;
                threads.add(Thread.ofPlatform().name("reader-" + t).start(() -> run(root, new Random(s))));
            }
        }

        /** Whole files in sequence, or a few random ranges (some crossing EOF); each read checked byte for byte. */
        private void run(Path root, Random r) {
            ByteBuffer buf = ByteBuffer.allocateDirect(MAX_READ);
            MemorySegment got = MemorySegment.ofBuffer(buf);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment want = arena.allocate(MAX_READ);
                while (!stop.get()) {
                    int i = r.nextInt(FILES);
                    long size = size(i);
                    try (FileChannel ch = FileChannel.open(root.resolve(key(i)), StandardOpenOption.READ)) {
                        boolean whole = r.nextBoolean();
                        int n = whole ? (int) ((size + MAX_READ - 1) / MAX_READ) : 4;
                        for (int k = 0; k < n && !stop.get(); k++) {
                            long at = whole ? (long) k * MAX_READ : r.nextLong(size);
                            int len = whole ? MAX_READ : 1 + r.nextInt(MAX_READ);
                            int read = Math.max(0, ch.read(buf.clear().limit(len), at));
                            long expected = Math.min(len, size - at);
                            PseudoBackend.contentInto(key(i), at, want.asSlice(0, expected));
                            if (read != expected || got.asSlice(0, read).mismatch(want.asSlice(0, read)) >= 0) {
                                wrong.incrementAndGet();
                            }
                            reads.incrementAndGet();
                            bytes.addAndGet(read);
                        }
                    } catch (IOException e) {
                        errors.add(key(i) + ": " + e);
                        if (stop.get() || errors.size() > 20) {
                            return;
                        }
                    }
                }
            }
        }

        /** Stops them; whether all ended within {@code limit}. */
        boolean stop(Duration limit) throws InterruptedException {
            stop.set(true);
            long deadline = System.nanoTime() + limit.toNanos();
            for (Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            return threads.stream().noneMatch(Thread::isAlive);
        }
    }

    @ParameterizedTest
    @EnumSource(value = CacheStorageMode.class, names = {"RAM", "MAPPED_FILE"})
    void sustainedLoadDeliversNoWrongBytesLeaksNothingAndUnmountsUnderLoad(CacheStorageMode storage, @TempDir Path dir)
            throws Exception {
        try (S3Server s3 = new S3Server(dir)) {
            long workingSet = seed(s3.bucket("load"));
            long lines = 0;
            for (int i = 0; i < FILES; i++) {
                lines += (size(i) + LINE - 1) / LINE;
            }
            long cacheLines = lines / 3;
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Path cfg = dir.resolve("load.yaml");
            Files.writeString(cfg, """
                    msfs_version: 1
                    allow_other: false
                    direct_io: true
                    endpoint: http://127.0.0.1:%d
                    cache_line_size: %d
                    cache_lines: %d
                    cache_lines_to_prefetch: 2
                    cache_storage: %s
                    cache_dir_path: %s
                    backends:
                      - {dir_name: s3, backend_type: S3, bucket_container_name: load, S3: {endpoint: "%s",
                         access_key_id: %s, secret_access_key: %s, request_timeout: 30000}}
                    """.formatted(port, LINE, cacheLines, storage.key(), Files.createDirectories(dir.resolve("cache")),
                    s3.endpoint(), S3Server.ACCESS_KEY, S3Server.SECRET));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Map<String, String> jvm = Map.of("JAVA_TOOL_OPTIONS", "-Xmx" + HEAP + " -XX:NativeMemoryTracking=summary");
            try (MsfsProcess msfs = MsfsProcess.mount(jvm, mnt, "--config", cfg.toString())) {
                long pid = msfs.process().pid();
                Sample idle = sample(pid);

                readEveryFileOnce(mnt.resolve("s3")); // three times the arena: every line is in use after it
                Sample warm = sample(pid);

                long t0 = System.nanoTime();
                Readers load = new Readers(mnt.resolve("s3"), THREADS, 1);
                long peakRss = 0;
                while (System.nanoTime() - t0 < SECONDS * 1_000_000_000L && load.errors.isEmpty()) {
                    Thread.sleep(1000);
                    peakRss = Math.max(peakRss, rssKiB(pid));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertTrue(load.stop(Duration.ofSeconds(60)), "readers hung");
                assertTrue(load.errors.isEmpty(), load.errors + "\n" + msfs.log());
                assertEquals(0, load.wrong.get(), "wrong bytes delivered");
                double openHandles = -1;
                for (int i = 0; i < 100 && openHandles != 0; i++) { // releases reach the daemon asynchronously
                    openHandles = MetricsIT.parse(MetricsIT.get(port, "/metrics").body()).get("msfs_open_handles");
                    Thread.sleep(100);
                }
                assertEquals(0, openHandles, "file handles left open in the daemon");
                Sample end = sample(pid);
                long arenaInRssKiB = storage == CacheStorageMode.RAM ? cacheLines * LINE / 1024 : 0;
                assertTrue((end.rssKiB - arenaInRssKiB) * 1024 <= OVERHEAD_BOUND, "RSS " + end.rssKiB + " KiB is more than "
                        + (OVERHEAD_BOUND >> 20) + " MiB plus the arena's memory (" + arenaInRssKiB + " KiB, " + storage.key() + ")");
                assertTrue((end.rssKiB - warm.rssKiB) * 1024 <= GROWTH_BOUND,
                        "RSS grew from " + warm.rssKiB + " to " + end.rssKiB + " KiB after the cache was full");

                // Unmount under load: SIGTERM while every reader is busy.
                Readers last = new Readers(mnt.resolve("s3"), THREADS, 2);
                Thread.sleep(2000);
                long s0 = System.nanoTime();
                int status = msfs.terminate(Duration.ofSeconds(30));
                long exitMillis = (System.nanoTime() - s0) / 1_000_000;
                assertNotEquals(-1, status, "msfs did not exit under load:\n" + msfs.log());
                assertFalse(msfs.log().contains("still in flight"), "requests were abandoned at exit:\n" + msfs.log());
                assertTrue(last.stop(Duration.ofSeconds(30)), "readers hung after the unmount");
                assertFalse(MountPoints.isMounted(mnt), "the mount outlived the daemon");
                assertEquals(0, last.wrong.get(), "wrong bytes while unmounting");
                assertTrue(last.reads.get() > 0, "no reads before the unmount");

                String summary = report(storage, workingSet, cacheLines, arenaInRssKiB, seconds, load, idle, warm, end, peakRss, last,
                        exitMillis, status);
                System.out.println(summary);
                if (!REPORT.isEmpty()) {
                    String file = storage == CacheStorageMode.RAM ? REPORT : REPORT.replaceFirst("\\.md$", "") + "-" + storage.key() + ".md";
                    Files.writeString(Path.of(file), summary);
                }
            }
        }
    }

    /** Writes the objects straight into S3Proxy's filesystem store; returns their total size. */
    private static long seed(Path bucket) throws IOException {
        long total = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment content = arena.allocate(size(0) * 16);
            for (int i = 0; i < FILES; i++) {
                Path file = bucket.resolve(key(i));
                Files.createDirectories(file.getParent());
                MemorySegment bytes = content.asSlice(0, size(i));
                PseudoBackend.contentInto(key(i), 0, bytes);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer b = bytes.asByteBuffer();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                }
                total += size(i);
            }
        }
        return total;
    }

    private static void readEveryFileOnce(Path root) throws Exception {
        try (var pool = Executors.newFixedThreadPool(THREADS)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < FILES; i++) {
                Path file = root.resolve(key(i));
                done.add(pool.submit(() -> Files.readAllBytes(file)));
            }
            for (var f : done) {
                f.get();
            }
        }
    }

    private static Sample sample(long pid) throws Exception {
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        int fds;
        try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = (int) s.count();
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.native_memory", "summary").redirectErrorStream(true).start();
        String nmt = new String(jcmd.getInputStream().readAllBytes());
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd hung");
        Matcher total = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB").matcher(nmt);
        assertTrue(total.find(), "no NativeMemoryTracking summary:\n" + nmt);
        return new Sample(statusKiB(status, "VmRSS"), statusKiB(status, "VmHWM"), fds, (int) statusKiB(status, "Threads"),
                Long.parseLong(total.group(2)), nmt);
    }

    private static long rssKiB(long pid) throws IOException {
        return statusKiB(Files.readString(Path.of("/proc/" + pid + "/status")), "VmRSS");
    }

    private static long statusKiB(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** NativeMemoryTracking's committed KiB per category ("Java Heap", "Class", "Thread", …). */
    private static Map<String, Long> nmtCategories(String nmt) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^-\\s+(.+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)").matcher(nmt);
        while (m.find()) {
            out.put(m.group(1).trim(), Long.parseLong(m.group(2)));
        }
        return out;
    }

    private static String report(CacheStorageMode storage, long workingSet, long cacheLines, long arenaInRssKiB, double seconds,
                                 Readers load, Sample idle, Sample warm, Sample end, long peakRss, Readers last, long exitMillis,
                                 int status) {
        long arenaMiB = cacheLines * LINE >> 20;
        StringBuilder r = new StringBuilder();
        r.append("# Load: ").append(THREADS).append(" readers, ").append(FILES).append(" S3 objects, cache a third of the working set (cache_storage: ")
                .append(storage.key()).append(")\n\n");
        r.append("Command: `bench/load-test` (LoadIT with msfs.load.seconds=").append(SECONDS).append(", revision ").append(REVISION).append("). Machine: ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores. S3Proxy 4.1.0 (filesystem store) on 127.0.0.1; msfs ")
                .append("with direct_io, 256 KiB lines, daemon JVM -Xmx").append(HEAP).append(" -XX:NativeMemoryTracking=summary.\n\n");
        r.append("| measure | value |\n| --- | ---: |\n");
        r.append(String.format("| working set | %d MiB in %d objects (64 KiB to 1 MiB) |%n", workingSet >> 20, FILES));
        r.append(String.format("| cache arena | %d MiB (%d lines of 256 KiB), %s |%n", arenaMiB, cacheLines,
                storage == CacheStorageMode.RAM ? "anonymous memory" : "a file on local disk, mapped shared"));
        r.append(String.format("| duration | %.0f s |%n", seconds));
        r.append(String.format("| reads checked | %,d (%,d MiB, %.0f MiB/s) |%n", load.reads.get(), load.bytes.get() >> 20,
                (load.bytes.get() >> 20) / seconds));
        r.append(String.format("| wrong bytes | %d reads with any |%n", load.wrong.get()));
        r.append(String.format("| errors | %d |%n", load.errors.size()));
        r.append(String.format("| RSS: mounted, idle | %d MiB |%n", idle.rssKiB >> 10));
        r.append(String.format("| RSS: after one pass over every file (cache full) | %d MiB |%n", warm.rssKiB >> 10));
        r.append(String.format("| RSS: end / peak sampled / VmHWM | %d / %d / %d MiB |%n", end.rssKiB >> 10, peakRss >> 10, end.hwmKiB >> 10));
        r.append(String.format("| RSS at the end, less the arena's memory (%d MiB) | %d MiB |%n", arenaInRssKiB >> 10,
                (end.rssKiB - arenaInRssKiB) >> 10));
        r.append(String.format("| open fds: idle / end | %d / %d |%n", idle.fds, end.fds));
        r.append(String.format("| threads: idle / end | %d / %d |%n", idle.threads, end.threads));
        r.append(String.format("| NMT committed: idle / cache full / end | %d / %d / %d MiB |%n", idle.nmtCommittedKiB >> 10,
                warm.nmtCommittedKiB >> 10, end.nmtCommittedKiB >> 10));
        r.append(String.format("| SIGTERM under load: exit | %d ms, status %d, %,d reads checked before it, %d wrong |%n",
                exitMillis, status, last.reads.get(), last.wrong.get()));
        r.append("\nNativeMemoryTracking, committed KiB per category (the arena is an mmap of msfs's own, outside NMT):\n\n");
        r.append("| category | idle | cache full | end |\n| --- | ---: | ---: | ---: |\n");
        Map<String, Long> a = nmtCategories(idle.nmt);
        Map<String, Long> b = nmtCategories(warm.nmt);
        Map<String, Long> c = nmtCategories(end.nmt);
        for (String k : c.keySet()) {
            r.append(String.format("| %s | %d | %d | %d |%n", k, a.getOrDefault(k, 0L), b.getOrDefault(k, 0L), c.get(k)));
        }
        return r.toString();
    }
}
