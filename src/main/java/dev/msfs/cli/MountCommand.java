package dev.msfs.cli;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendFactory;
import dev.msfs.backend.MeteredBackend;
import dev.msfs.config.BackendConfig;
import dev.msfs.metrics.BackendStates;
import dev.msfs.metrics.HttpEndpoint;
import dev.msfs.metrics.MountView;
import dev.msfs.metrics.MsfsMetrics;
import dev.msfs.metrics.OtlpExport;
import dev.msfs.config.ConfigException;
import dev.msfs.config.MsfsConfig;
import dev.msfs.fs.FileSystem;
import dev.msfs.fuse.FuseException;
import dev.msfs.fuse.FuseSession;
import dev.msfs.fuse.MountOptions;
import dev.msfs.fuse.MountPoints;
import dev.msfs.fuse.OpObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mounts the configured backends, one directory each, and serves until unmounted.",
                "SIGINT and SIGTERM unmount cleanly; SIGHUP re-reads the config (added and removed backends)."},
        footer = {"", "The config is --config FILE, else $MSC_CONFIG, else the first of the MSC search order",
                "(~/.msc_config.yaml, ~/.config/msc/config.yaml, /etc/msc_config.yaml …).",
                "The mount point is MOUNTPOINT, else $MSFS_MOUNTPOINT, else the config's mountpoint.",
                "At start each backend gets one cheap request, and a store that does not answer is named",
                "in the log (probe_at_mount: false skips it). The log's \"mounted\" line gives the pid.",
                "Environment: MSFS_LOG_LEVEL and MSFS_LOG_FORMAT for --log-level and --log-format;",
                "the config's ${VAR} references read the environment too.",
                "Exit status: 0 after a clean unmount, 1 if mounting failed, 2 for a config error."})
final class MountCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(MountCommand.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(4);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "config file (.yaml, .yml or .json)")
    String config;

    @Option(names = "--demo", description = "mount the built-in demo config (a synthetic tree) instead of a file")
    boolean demo;

    @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "${env:MSFS_LOG_LEVEL:-info}",
            description = "error, warn, info (default) or debug")
    String logLevel;

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:MSFS_LOG_FORMAT:-text}",
            description = "text (default) or json (one object per line, for log collectors)")
    String logFormat;

    @Parameters(arity = "0..1", paramLabel = "MOUNTPOINT", description = "directory to mount on")
    String mountpoint;

    @Override
    public Integer call() {
        Logging.setup(logLevel, logFormat);
        MsfsConfig cfg;
        List<Backend> backends = new ArrayList<>();
        MsfsMetrics metrics = new MsfsMetrics();
        BackendStates states = new BackendStates();
        OtlpExport otlp = null;
        try {
            MsfsConfig configured = ConfigChoice.load(demo, config);
            configured.warnings().forEach(LOG::warning);
            otlp = configured.telemetry().map(t -> OtlpExport.start(t, VersionCommand.version())).orElse(null);
            cfg = startBackends(configured, metrics, otlp, states, backends);
        } catch (ConfigException e) {
            backends.forEach(Backend::close);
            if (otlp != null) {
                otlp.close();
            }
            return fail(Main.EXIT_CONFIG, e.getMessage());
        }
        OtlpExport exporting = otlp;
        Path dir = Path.of(mountpoint != null ? mountpoint : cfg.mountpoint()).toAbsolutePath().normalize();
        FileSystem fs = null; // once it exists, it owns (and closes) the backends
        HttpEndpoint endpoint = null;
        AtomicBoolean serving = new AtomicBoolean();
        try {
            String problem = checkMountpoint(dir);
            if (problem != null) {
                closeAll(fs, backends, endpoint, exporting);
                return fail(Main.EXIT_FAILURE, problem);
            }
            MountOptions options = new MountOptions(dir, cfg.mountname(), cfg.allowOther(), cfg.fuseWorkers(),
                    MountOptions.MAX_READ, MountOptions.MAX_BACKGROUND, cfg.backends().stream().anyMatch(b -> !b.readonly()));
            fs = FileSystem.of(cfg, backends);
            FileSystem mounted = fs;
            LOG.info(() -> "cache: " + mounted.cacheStorage());
            if (cfg.probeAtMount()) {
                for (Probe.Outcome o : Probe.all(cfg.backends(), backends)) { // a store that does not answer is mounted anyway
                    if (o.problem() == null) {
                        LOG.info(o::line);
                    } else {
                        LOG.warning(o.line() + "; mounted anyway: its directory answers EIO or nothing until the store does");
                        states.probeFailed(o.config().dirName(), o.problem());
                    }
                }
            }
            warnIfTheCacheCrowdsMemory(cfg);
            registerGauges(metrics, mounted);
            if (!cfg.endpoint().isEmpty()) {
                endpoint = listen(cfg.endpoint(), metrics, () -> serving.get() && isMounted(dir), serving::get, states, view(mounted));
            }
            FuseSession session = FuseSession.mount(fs, options, observer(metrics));
            serving.set(true);
            CountDownLatch cleanedUp = new CountDownLatch(1);
            Reloader reloader = demo ? null : new Reloader(Path.of(cfg.source()), cfg, mounted,
                    (b, backend) -> served(metrics, exporting, b, backend), states);
            if (reloader != null) {
                reloader.onSighup();
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopOnSignal(session, cleanedUp, mounted), "msfs-shutdown"));
            LOG.info(() -> "mounted " + cfg.backends().size() + " backend(s) from " + cfg.source() + " at " + dir
                    + " (pid " + ProcessHandle.current().pid() + ")");
            try {
                session.serve();
            } finally {
                serving.set(false);
                if (reloader != null) {
                    reloader.close();
                }
                if (endpoint != null) {
                    endpoint.close();
                }
                LOG.info(() -> "cache at unmount: " + mounted.cacheStats());
                mounted.close(); // closes every backend, those added by reloads too
                LOG.info(() -> "unmounted " + dir);
                if (exporting != null) {
                    exporting.close(); // after the backends, as MSFS: their last requests are in it
                }
                cleanedUp.countDown();
            }
            return 0;
        } catch (FuseException | IOException e) {
            closeAll(fs, backends, endpoint, exporting);
            return fail(Main.EXIT_FAILURE, e.getMessage());
        } catch (ExceptionInInitializerError | UnsatisfiedLinkError | IllegalArgumentException | IllegalCallerException e) {
            closeAll(fs, backends, endpoint, exporting);
            return fail(Main.EXIT_FAILURE, NativeLib.problem(e));
        }
    }

    /**
     * A cache in memory that takes most of the memory this process may use (the container's
     * limit, as the JVM sees it) leaves too little for the JVM and the backends' buffers: say so
     * at start, rather than be OOM-killed under load (measured: a 512 MiB ram cache in a 1 GiB
     * cgroup was, bench/results/cache-storage.md).
     */
    private static void warnIfTheCacheCrowdsMemory(MsfsConfig cfg) {
        long arena = cfg.cacheLineSize() * cfg.cacheLines();
        long memory = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        if (cfg.cacheStorage() == dev.msfs.config.CacheStorageMode.RAM && arena > memory / 2) {
            LOG.warning("the cache in memory (" + arena + " bytes) takes over half of the " + memory + " bytes this"
                    + " process may use; the JVM and the backends need the rest, or msfs may be OOM-killed."
                    + " cache_storage: mapped-file keeps the cache on local disk");
        }
    }

    /**
     * Builds each configured backend. One that cannot start (a LOCAL base_path that is gone, a
     * type without a backend, an AIStore whose manifest_gen_backend failed) is skipped with a
     * warning naming it, and shown as failed in /backends, as MSFS skips it: the others are
     * mounted. Returns the config of those that started; throws when none did.
     */
    private static MsfsConfig startBackends(MsfsConfig configured, MsfsMetrics metrics, OtlpExport otlp,
                                            BackendStates states, List<Backend> started) throws ConfigException {
        java.util.Map<String, Backend> built = new java.util.LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (BackendConfig c : configured.backends()) {
            try {
                built.put(c.dirName(), BackendFactory.create(c));
            } catch (ConfigException e) {
                skip(c, e.getMessage(), states, problems, warnings);
            }
        }
        List<BackendConfig> serving = new ArrayList<>();
        for (BackendConfig c : configured.backends()) {
            Backend b = built.get(c.dirName());
            if (b == null) {
                continue;
            }
            if (c.settings() instanceof dev.msfs.config.TypeSettings.AIStore a && !a.manifestGenBackend().isEmpty()
                    && !built.containsKey(a.manifestGenBackend())) {
                b.close();
                skip(c, "its manifest_gen_backend \"" + a.manifestGenBackend() + "\" did not start", states, problems, warnings);
                continue;
            }
            Backend routed = BackendFactory.routed(c, b, built::get);
            Backend served;
            try {
                served = served(metrics, otlp, c, routed);
            } catch (ConfigException e) {
                routed.close();
                skip(c, e.getMessage(), states, problems, warnings);
                continue;
            }
            started.add(served);
            serving.add(c);
            states.serving(c.dirName(), c.type().sectionName(), served.describe());
        }
        if (serving.isEmpty()) {
            throw new ConfigException(String.join("; ", problems)); // one error line, no warnings before it
        }
        for (String warning : warnings) {
            LOG.warning(warning);
        }
        return configured.toBuilder().backends(serving).build();
    }

    private static void skip(BackendConfig c, String why, BackendStates states, List<String> problems, List<String> warnings) {
        warnings.add("backend " + c.dirName() + " cannot start, and is skipped (the others are mounted): " + why);
        states.failed(c.dirName(), c.type().sectionName(), why);
        problems.add(why);
    }

    /** The mount as the endpoint's /drain and /dump see it. */
    private static MountView view(FileSystem fs) {
        return new MountView() {
            @Override
            public int drain() {
                return fs.drain();
            }

            @Override
            public java.util.List<String> dump(int max) {
                return fs.dump(max);
            }

            @Override
            public java.util.List<dev.msfs.metrics.MeasuredLock> locks() {
                return fs.locks();
            }
        };
    }

    /** FUSE requests and read sizes, into the metrics. */
    private static OpObserver observer(MsfsMetrics metrics) {
        return new OpObserver() {
            @Override
            public void served(String op, String backend, boolean ok, long nanos) {
                metrics.fuseOp(op, backend, ok, nanos);
            }

            @Override
            public void readSize(boolean ok, long bytes) {
                metrics.readSize(ok, bytes);
            }

            @Override
            public void entries(String op, int count) {
                metrics.entries(op, count);
            }
        };
    }

    /** The store's requests metered, and its listings from its manifest when it has one (no LIST or HEAD then). */
    private static Backend served(MsfsMetrics metrics, OtlpExport otlp, BackendConfig c, Backend backend) throws ConfigException {
        Backend metered = metered(metrics, otlp, c, backend);
        if (c.manifest().isEmpty()) {
            return metered;
        }
        dev.msfs.config.ManifestSettings m = c.manifest().get();
        try {
            return dev.msfs.manifest.ManifestBackend.open(metered, m, c.dirName(), c.bucketContainerName(), c.prefix());
        } catch (dev.msfs.backend.BackendException e) {
            throw new ConfigException("backend \"" + c.dirName() + "\": " + e.getMessage());
        }
    }

    /**
     * Every request counted in the metrics (and in the OpenTelemetry export, when there is one) and,
     * per the backend's trace_level, traced in the log.
     */
    private static Backend metered(MsfsMetrics metrics, OtlpExport otlp, BackendConfig config, Backend backend) {
        String dirName = config.dirName();
        metrics.backend(dirName);
        Logger trace = Logger.getLogger("dev.msfs.trace." + dirName);
        int level = config.traceLevel();
        return new MeteredBackend(backend, new MeteredBackend.Observer() {
            @Override
            public void started(String op) {
                if (otlp != null) {
                    otlp.requested(dirName, op);
                }
            }

            @Override
            public void ended(String op, String target, String failure, long nanos, long bytes) {
                boolean ok = failure == null;
                metrics.backendOp(dirName, op, ok, nanos, bytes);
                if (otlp != null) {
                    otlp.ended(dirName, op, failure, nanos, bytes);
                }
                if (level >= 2 || (level >= 1 && !ok)) {
                    trace.info(() -> "[TRACE] " + dirName + " " + op + (level >= 3 ? " " + target : "")
                            + (ok ? " ok" : " FAILED (" + failure + ")") + " in " + nanos / 1000 + " us");
                }
            }
        });
    }

    /** The cache's and the file system's own counters, read at scrape time. */
    private static void registerGauges(MsfsMetrics m, FileSystem fs) {
        m.counter("fission_read_cache_hits_total", "cache line lookups that found the line resident", () -> fs.cacheStats().hits());
        m.counter("fission_read_cache_misses_total", "cache line lookups that had to fetch", () -> fs.cacheStats().misses());
        m.counter("fission_read_cache_waits_total", "lookups that waited for another reader's fetch", () -> fs.cacheStats().waits());
        m.counter("fission_read_cache_prefetches_total", "lines fetched ahead of sequential readers", () -> fs.cacheStats().prefetches());
        m.counter("msfs_cache_fetches_total", "cache line fetches from backends", () -> fs.cacheStats().fetches());
        m.counter("msfs_cache_fetch_failures_total", "cache line fetches that failed", () -> fs.cacheStats().fetchFailures());
        m.counter("msfs_cache_poisoned_lines_total", "lines evicted unserved after a failed or short fetch", () -> fs.cacheStats().poisoned());
        m.counter("msfs_cache_evictions_total", "lines evicted to make room", () -> fs.cacheStats().evictions());
        m.counter("msfs_cache_uncached_reads_total", "reads served straight from the backend: the cache could not store their line (disk full or failing)",
                () -> fs.cacheStats().uncachedReads());
        m.counter("msfs_cache_reads_while_fetching_total", "copies served from a line still being fetched, of bytes that had arrived",
                () -> fs.cacheStats().readsWhileFetching());
        m.counter("msfs_cache_generation_retries_total", "optimistic copies retried after an eviction raced them",
                () -> fs.cacheStats().retries());
        m.counter("msfs_bytes_served_total", "file bytes served to readers", () -> fs.cacheStats().bytesServed());
        m.gauge("msfs_open_handles", "open file and directory handles", fs::openHandles);
        m.gauge("msfs_inodes", "inodes the kernel holds", fs::inodeCount);
        m.gauge("msfs_write_buffered_bytes", "bytes written to files and not yet in the store", fs::writeBuffered);
        m.gauge("msfs_write_buffered_bytes_peak", "the most msfs_write_buffered_bytes has been since mount", fs::writeBufferedPeak);
    }

    private static HttpEndpoint listen(String url, MsfsMetrics metrics, java.util.function.BooleanSupplier healthy,
                                       java.util.function.BooleanSupplier ready, BackendStates states,
                                       MountView mount) throws IOException {
        String authority = url.substring("http://".length()).replaceAll("/$", "");
        String host = authority.substring(0, authority.lastIndexOf(':'));
        int port = Integer.parseInt(authority.substring(authority.lastIndexOf(':') + 1));
        try {
            HttpEndpoint e = new HttpEndpoint(host, port, metrics, healthy, ready, states, mount);
            String shown = "http://" + (host.isEmpty() ? "0.0.0.0" : host) + ":" + e.port();
            LOG.info(() -> "serving /metrics, /healthz, /readyz, /backends, /drain, /dump, /locks and /hang at " + shown
                    + (host.isEmpty() ? " (every interface)" : ""));
            return e;
        } catch (IOException e) {
            throw new IOException("cannot listen on endpoint " + url + ": " + e.getMessage(), e);
        }
    }

    private static boolean isMounted(Path dir) {
        try {
            return MountPoints.isMounted(dir);
        } catch (IOException e) {
            return false;
        }
    }

    /** A problem that prevents mounting on {@code dir}, or null; a stale mount left by a dead msfs is cleared. */
    private static String checkMountpoint(Path dir) throws IOException {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            return "/dev/fuse does not exist: load the fuse module (modprobe fuse), or give the container --device /dev/fuse";
        }
        if (MountPoints.isStale(dir)) {
            LOG.warning(() -> dir + " is a stale FUSE mount (its daemon is gone): unmounting it first");
            MountPoints.lazyUnmount(dir);
        }
        if (!Files.isDirectory(dir)) {
            return "mount point " + dir + " is not an existing directory";
        }
        if (MountPoints.isMounted(dir)) {
            return "mount point " + dir + " is already mounted; unmount it first (fusermount3 -u " + dir + ")";
        }
        return null;
    }

    /**
     * SIGINT or SIGTERM: unmount, let the requests in flight finish, then exit 0 after a clean
     * unmount, as MSFS does (the JVM's own status after a signal is 143, which systemd and
     * supervisors read as a failure). A stop that was not clean (a file still open keeps the
     * kernel's mount alive) keeps that status, and first drops the files being written, so that
     * no upload in parts is left open in the store.
     */
    private static void stopOnSignal(FuseSession session, CountDownLatch cleanedUp, FileSystem fs) {
        session.stop();
        try {
            if (!session.awaitServed(STOP_GRACE)
                    || !cleanedUp.await(2 + OtlpExport.FLUSH_AT_EXIT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warning("requests still in flight after unmount; exiting anyway");
                fs.dropWrites();
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (java.util.logging.Handler h : Logger.getLogger("").getHandlers()) {
            h.flush();
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(Main.EXIT_OK);
    }

    private static void closeAll(FileSystem fs, List<Backend> backends, HttpEndpoint endpoint, OtlpExport otlp) {
        if (endpoint != null) {
            endpoint.close();
        }
        if (fs != null) {
            fs.close();
        } else {
            backends.forEach(Backend::close);
        }
        if (otlp != null) {
            otlp.close();
        }
    }

    private static int fail(int status, String message) {
        System.err.println("msfs: error: " + message);
        return status;
    }
}
