package dev.msfs.manifest;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Writes a backend's listing as an MSFS manifest: a breadth-first walk in which each directory is
 * listed whole (every page) by one of {@code workers} threads, which queue the subdirectories it
 * finds. The index is written last, by rename, and only when every directory was listed: a
 * failed walk leaves no manifest that could be taken for a whole one.
 */
public final class ManifestGenerator {
    private static final Logger LOG = Logger.getLogger(ManifestGenerator.class.getName());
    /** Left in the folder from the start of a generation: a later one may empty it even if this one never finished. */
    static final String MARKER = ".msfs-manifest";
    /** Most ranges one flat directory is listed in at once. */
    static final int MAX_RANGES = 64;
    /** Probes of the binary search for a flat directory's last name: enough to place it within 2^-40 of the span. */
    private static final int END_PROBES = 40;

    /** Counts while it runs, for progress lines. */
    public record Progress(long objects, long directories, long queued, long skippedNames, double seconds, long splitDirectories) {
    }

    private final Backend backend;
    private final Path output;
    private final int workers;
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong directories = new AtomicLong();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong split = new AtomicLong();
    private final int flatDirConfirmationPages;
    private final java.util.Map<String, dev.msfs.config.ManifestSettings.FlatDirHint> hints = new java.util.HashMap<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final CountDownLatch walked = new CountDownLatch(1);
    private volatile long startNanos;
    /** The TSV each directory was written to: two directories must never share one (a top-level "_root"). */
    private final java.util.Set<Path> parts = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile ExecutorService pool;

    public ManifestGenerator(Backend backend, Path output, int workers) {
        this(backend, output, workers, dev.msfs.config.ManifestSettings.DEFAULT_FLAT_DIR_CONFIRMATION_PAGES);
    }

    /**
     * @param flatDirConfirmationPages full pages without a subdirectory after which a directory is
     *                                 taken for flat and large, and the rest of it is listed in
     *                                 ranges by several workers at once (where the store lists from a
     *                                 name); 0 never splits
     */
    public ManifestGenerator(Backend backend, Path output, int workers, int flatDirConfirmationPages) {
        this(backend, output, workers, flatDirConfirmationPages, List.of());
    }

    /** @param hints MSFS's flat_dir_hints: directories listed in ranges of name prefixes from the start */
    public ManifestGenerator(Backend backend, Path output, int workers, int flatDirConfirmationPages,
                             List<dev.msfs.config.ManifestSettings.FlatDirHint> hints) {
        this.backend = backend;
        this.output = output;
        this.workers = workers;
        this.flatDirConfirmationPages = flatDirConfirmationPages;
        hints.forEach(h -> this.hints.put(h.path(), h));
    }

    public Progress progress() {
        return new Progress(objects.get(), directories.get(), queued.get(), skipped.get(), (System.nanoTime() - startNanos) / 1e9,
                split.get());
    }

    /**
     * Lists everything and writes the manifest; {@code report} gets a progress snapshot about
     * once a second. Throws when a listing or a write failed (the manifest is then not whole).
     */
    public ManifestFormat.Index generate(String bucket, String prefix, Consumer<Progress> report)
            throws IOException, BackendException, InterruptedException {
        prepare();
        try {
            return walk(bucket, prefix, report);
        } finally {
            ManifestHolds.release(output);
        }
    }

    private ManifestFormat.Index walk(String bucket, String prefix, Consumer<Progress> report)
            throws IOException, BackendException, InterruptedException {
        startNanos = System.nanoTime();
        String dirTime = DateTimeFormatter.ISO_INSTANT.format(Instant.now());
        pool = Executors.newFixedThreadPool(workers, Thread.ofPlatform().daemon().name("msfs-manifest-", 0).factory());
        try {
            submit(pool, "", dirTime);
            while (!walked.await(1, TimeUnit.SECONDS)) {
                report.accept(progress());
            }
        } finally {
            pool.shutdownNow();
        }
        Exception failed = failure.get();
        if (failed instanceof BackendException b) {
            throw b;
        }
        if (failed instanceof IOException io) {
            throw io;
        }
        if (failed != null) {
            throw new IOException("the walk failed: " + failed, failed);
        }
        if (skipped.get() > 0) {
            LOG.warning(skipped.get() + " name(s) cannot be entries (., .., a tab or a line break in them): left out");
        }
        ManifestFormat.Index index = new ManifestFormat.Index(ManifestFormat.VERSION, "tsv", bucket, prefix, objects.get(),
                directories.get(), DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        Path temp = output.resolve(ManifestFormat.INDEX + ".tmp");
        ManifestFormat.writeIndex(temp, index);
        Files.move(temp, output.resolve(ManifestFormat.INDEX), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        report.accept(progress());
        return index;
    }

    public long bytes() {
        return bytes.get();
    }

    /**
     * Empties the output folder, as MSFS does, but only when it is empty or a manifest's (it holds
     * manifest_index.json or the marker a generation leaves): a mistyped --output must not delete
     * anything else. The marker stays, locked while this generation runs: a second one (a mount's,
     * or generate-manifest run meanwhile) is refused instead of deleting what this one wrote, and
     * so is any generation while a mount lists from the manifest (it holds the marker shared).
     */
    private void prepare() throws IOException {
        Path abs = output.toAbsolutePath().normalize();
        if (abs.getParent() == null) {
            throw new IOException("refusing " + abs + " as a manifest folder");
        }
        if (Files.exists(output)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(output)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(output.resolve(ManifestFormat.INDEX)) && !Files.exists(output.resolve(MARKER))) {
                throw new IOException(output + " is neither empty nor a manifest (it has no " + ManifestFormat.INDEX
                        + "); choose another folder");
            }
        }
        Files.createDirectories(output);
        java.nio.channels.FileChannel marker = ManifestHolds.exclusive(output);
        if (marker == null) {
            throw new IOException("the manifest in " + output + " is in use: a mount lists from it, or another generate-manifest"
                    + " is writing it; unmount it, or wait for that generation to end");
        }
        try {
            Files.deleteIfExists(output.resolve(ManifestFormat.INDEX)); // first: from here on it is not whole
            try (Stream<Path> all = Files.walk(output)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!p.equals(output) && !p.equals(output.resolve(MARKER))) {
                        Files.delete(p);
                    }
                }
            }
            marker.truncate(0).write(java.nio.ByteBuffer.wrap(
                    "a manifest of msfs: generate-manifest may empty this folder\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            ManifestHolds.release(output);
            throw e;
        }
    }

    /** Stops a generation in progress (its store is closing): it ends with an error and writes no index. */
    public void cancel() {
        failure.compareAndSet(null, new IOException("cancelled"));
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
    }

    /** Queues {@code dir}; the walk is over when the last queued directory is done (queued back to 0). */
    private void submit(ExecutorService pool, String dir, String dirTime) {
        queued.incrementAndGet();
        pool.execute(() -> {
            try {
                if (failure.get() == null) {
                    listWhole(pool, dir, dirTime);
                }
            } catch (BackendException | IOException e) {
                failure.compareAndSet(null, e);
            } catch (Throwable t) { // an Error too: a walk that lost a directory must not write an index
                failure.compareAndSet(null, new IOException(t));
            } finally {
                // Children were queued before this decrement, so 0 means nothing is left anywhere.
                if (queued.decrementAndGet() == 0) {
                    walked.countDown();
                }
            }
        });
    }

    /** Every page of {@code dir} ("" or ending in '/') into its TSV; its subdirectories queued. */
    private void listWhole(ExecutorService pool, String dir, String dirTime) throws BackendException, IOException {
        Path part = ManifestFormat.partOf(output, dir); // a trailing '/' goes with the normalising
        if (!parts.add(part)) {
            throw new IOException("directory \"" + dir + "\" would share the manifest file " + part + " with another (MSFS's format"
                    + " keeps the top in _root.tsv, so a top-level directory cannot be named _root)");
        }
        Files.createDirectories(part.getParent());
        List<String> subdirs = java.util.Collections.synchronizedList(new ArrayList<>());
        try (BufferedWriter w = Files.newBufferedWriter(part, StandardCharsets.UTF_8)) {
            var hint = hints.get(dir);
            if (hint != null && backend.listsAfter()) { // the user knows it is flat: ranges of its name prefixes from the start
                List<String> starts = new ArrayList<>(List.of(""));
                starts.addAll(hint.prefixes());
                listRanges(dir, starts, w, dirTime, subdirs);
            } else {
                listPages(dir, w, dirTime, subdirs);
            }
        }
        directories.incrementAndGet();
        for (String s : subdirs) {
            submit(pool, s, dirTime);
        }
    }

    /** Page after page; a directory found flat and large after its confirmation pages goes on in ranges ({@link #listRest}). */
    private void listPages(String dir, java.io.Writer w, String dirTime, List<String> subdirs) throws BackendException, IOException {
        String token = null;
        int fullPages = 0;
        String last = null;
        do {
            ListPage page = backend.list(dir, token);
            last = write(w, dir, page.entries(), dirTime, subdirs, last);
            token = page.next();
            fullPages = subdirs.isEmpty() ? fullPages + 1 : -1;
            if (token != null && last != null && fullPages == flatDirConfirmationPages && workers > 1 && backend.listsAfter()) {
                listRest(dir, last, w, dirTime, subdirs); // flat and large: the rest in ranges, at once
                token = null;
            }
        } while (token != null);
    }

    /**
     * Writes the entries that lines can hold, in byte order of their names: a store's page lists
     * its objects and then its prefixes (S3), or the other way round (GCS), and a directory file
     * whose names rise can be searched and paged ({@link ManifestBackend#pagesInOrder}). Returns the
     * last name written (or {@code last}).
     */
    private String write(java.io.Writer w, String dir, List<ObjectInfo> entries, String dirTime, List<String> subdirs, String last)
            throws IOException {
        for (ObjectInfo e : byName(entries)) {
            if (!ManifestFormat.representable(e.name()) || !dev.msfs.backend.Paths.isValidName(e.name())) {
                skipped.incrementAndGet();
                continue;
            }
            w.write(ManifestFormat.line(e, dirTime));
            last = e.name();
            if (e.directory()) {
                subdirs.add(dir + e.name() + "/");
            } else {
                objects.incrementAndGet();
                bytes.addAndGet(e.size());
            }
        }
        return last;
    }

    /** The page sorted by the UTF-8 bytes of its names, as {@link ManifestPart#check} compares them. */
    private static List<ObjectInfo> byName(List<ObjectInfo> page) {
        record Keyed(byte[] key, ObjectInfo entry) {
        }
        List<Keyed> keyed = new ArrayList<>(page.size());
        for (ObjectInfo e : page) {
            keyed.add(new Keyed(e.name().getBytes(java.nio.charset.StandardCharsets.UTF_8), e));
        }
        keyed.sort((a, b) -> java.util.Arrays.compareUnsigned(a.key, b.key));
        return keyed.stream().map(Keyed::entry).toList();
    }

    /**
     * The names of {@code dir} after {@code after}, listed in ranges at once: its last name found
     * by a binary search of probes, the span cut into equal widths ({@link KeyRanges}), the last
     * range open. Each range goes to a file of its own; they are appended in order, so the TSV
     * stays in the store's order (and lookups in it binary-search).
     */
    private void listRest(String dir, String after, java.io.Writer w, String dirTime, List<String> subdirs)
            throws BackendException, IOException {
        List<String> starts = new ArrayList<>(List.of(after));
        starts.addAll(KeyRanges.between(after, lastNameAbout(dir, after), Math.min(workers, MAX_RANGES)));
        listRanges(dir, starts, w, dirTime, subdirs);
    }

    /**
     * The names after {@code starts[0]} in the ranges (starts[i], starts[i+1]], the last open,
     * listed at once by at most {@link #MAX_RANGES} (and {@code workers}) requests in flight.
     */
    private void listRanges(String dir, List<String> starts, java.io.Writer w, String dirTime, List<String> subdirs)
            throws BackendException, IOException {
        long id = split.incrementAndGet(); // names this directory's range files: two may be split at once
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(Math.min(workers, MAX_RANGES));
        List<Path> files = new ArrayList<>();
        try (ExecutorService ranges = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<Void>> done = new ArrayList<>();
            for (int i = 0; i < starts.size(); i++) {
                String from = starts.get(i);
                String to = i + 1 < starts.size() ? starts.get(i + 1) : null; // null: open at its end
                Path file = output.resolve(MARKER + ".range-" + id + "-" + i);
                files.add(file);
                done.add(ranges.submit(() -> {
                    inFlight.acquire();
                    try {
                        listRange(dir, from, to, file, dirTime, subdirs);
                    } finally {
                        inFlight.release();
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof BackendException b) {
                throw b;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        for (Path f : files) {
            try (java.io.Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                r.transferTo(w);
            }
            Files.delete(f);
        }
    }

    /** The names in ({@code from}, {@code to}] ({@code to} null: to the end) into {@code file}. */
    private void listRange(String dir, String from, String to, Path file, String dirTime, List<String> subdirs)
            throws BackendException, IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            String token = null;
            do {
                ListPage page = backend.listAfter(dir, from, token);
                List<ObjectInfo> in = page.entries();
                int end = in.size();
                if (to != null) {
                    end = 0;
                    while (end < in.size() && KeyRanges.compare(in.get(end).name(), to) <= 0) {
                        end++;
                    }
                }
                write(w, dir, in.subList(0, end), dirTime, subdirs, null);
                token = end < in.size() ? null : page.next();
            } while (token != null);
        }
    }

    /**
     * About the last name in {@code dir}: a binary search on names as numbers, each probe asking
     * whether anything lies after a name. At least {@code after}, which is there.
     */
    private String lastNameAbout(String dir, String after) throws BackendException {
        String top = "~".repeat(after.length() + 2);
        if (!backend.listAfter(dir, top, null).entries().isEmpty()) {
            return top; // names past '~': the open last range holds them
        }
        String lo = after;
        String hi = top;
        for (int probe = 0; probe < END_PROBES; probe++) {
            List<String> mid = KeyRanges.between(lo, hi, 2);
            if (mid.isEmpty()) {
                break;
            }
            if (backend.listAfter(dir, mid.getFirst(), null).entries().isEmpty()) {
                hi = mid.getFirst();
            } else {
                lo = mid.getFirst();
            }
        }
        return lo;
    }
}
