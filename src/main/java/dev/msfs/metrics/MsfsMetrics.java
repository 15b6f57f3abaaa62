package dev.msfs.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * msfs's Prometheus metrics, named as the Go MSFS names them so existing dashboards keep working:
 * per FUSE operation {@code fission_<op>_{successes,failures}_total} and
 * {@code fission_<op>_{success,failure}_latency_seconds}; per backend operation
 * {@code backend_<op>_…} with a {@code backend} label (the dir_name); the read cache as
 * {@code fission_read_cache_*_total}; msfs's own additions as {@code msfs_*}. Recording is lock-free
 * (the client's own atomics); families are created on first use.
 */
public final class MsfsMetrics {
    /** 5 µs to 10 s, as MSFS. */
    private static final double[] LATENCY_BUCKETS = {5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
            1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private record Family(Counter successes, Counter failures, Histogram successLatency, Histogram failureLatency) {
    }

    /**
     * Every FUSE and backend operation MSFS's metrics.go names, created at start (at zero) so its
     * dashboards find every series from the first scrape, whether the operation happened yet or not.
     * statx: libfuse 3.14 has no such request (the kernel's statx arrives as getattr), so it stays at zero.
     */
    static final List<String> MSFS_FUSE_OPS = List.of("lookup", "getattr", "mknod", "mkdir", "unlink", "rmdir", "open", "read",
            "release", "opendir", "readdir", "releasedir", "create", "readdirplus", "statx");
    static final List<String> MSFS_BACKEND_OPS = List.of("delete_file", "list_directory", "read_file", "stat_directory",
            "stat_file");
    /** 1 KiB to 16 MiB in powers of two, as MSFS's read size histograms. */
    private static final double[] SIZE_BUCKETS = java.util.stream.IntStream.range(0, 15).mapToDouble(k -> 1024.0 * (1L << k))
            .toArray();

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    /**
     * Each backend's own FUSE families, under the same names and unlabelled, as MSFS's per-backend
     * registries serve them at /metrics/<dir_name>; /metrics keeps the totals only.
     */
    private final Map<String, PerBackend> perBackend = new ConcurrentHashMap<>();

    private record PerBackend(PrometheusRegistry registry, Map<String, Family> families) {
    }
    /** Bytes fetched from each store: with msfs_bytes_served_total, the cache's efficiency from /metrics alone. */
    private final Counter readBytes = Counter.builder().name("backend_read_file_bytes_total")
            .help("bytes read from the backend's store").labelNames("backend").register(registry);
    private final Histogram readSizes = Histogram.builder().name("fission_read_success_size_bytes")
            .help("sizes of successful reads, in bytes").classicOnly().classicUpperBounds(SIZE_BUCKETS).register(registry);
    private final Histogram failedReadSizes = Histogram.builder().name("fission_read_failure_size_bytes")
            .help("sizes asked for by failed reads, in bytes").classicOnly().classicUpperBounds(SIZE_BUCKETS).register(registry);
    private final Counter readdirEntries = Counter.builder().name("fission_readdir_entries_total")
            .help("directory entries returned by readdir").register(registry);
    private final Counter readdirplusEntries = Counter.builder().name("fission_readdirplus_entries_total")
            .help("directory entries returned by readdirplus").register(registry);

    public MsfsMetrics() {
        MSFS_FUSE_OPS.forEach(op -> family("fission_" + op, null));
        MSFS_BACKEND_OPS.forEach(op -> family("backend_" + op, "backend"));
        Family statfs = family("fission_statfs", null); // MSFS counts statfs calls under a name of their own
        counter("fission_statfs_calls_total", "statfs requests", () -> statfs.successes().get() + statfs.failures().get());
    }

    /** The backend mounted at {@code dirName} shows every backend series, at zero until used. */
    public void backend(String dirName) {
        PerBackend own = perBackend.computeIfAbsent(dirName, d -> new PerBackend(new PrometheusRegistry(), new ConcurrentHashMap<>()));
        MSFS_FUSE_OPS.forEach(op -> family(own.registry(), own.families(), "fission_" + op, null));
        readBytes.labelValues(dirName);
        for (String op : MSFS_BACKEND_OPS) {
            Family f = family("backend_" + op, "backend");
            f.successes().labelValues(dirName);
            f.failures().labelValues(dirName);
            f.successLatency().labelValues(dirName);
            f.failureLatency().labelValues(dirName);
        }
    }

    /** Entries one readdir or readdirplus reply carried. */
    public void entries(String op, int count) {
        (op.equals("readdirplus") ? readdirplusEntries : readdirEntries).inc(count);
    }

    /** A read's size: returned, or asked for when it failed. */
    public void readSize(boolean ok, long bytes) {
        (ok ? readSizes : failedReadSizes).observe(bytes);
    }

    /** One FUSE request of {@code op} about {@code backend} (null: none, the root) ended, successfully or not, after {@code nanos}. */
    public void fuseOp(String op, String backend, boolean ok, long nanos) {
        String base = "fission_" + op;
        record(family(base, null), ok, nanos);
        PerBackend own = backend == null ? null : perBackend.get(backend);
        if (own != null) {
            record(family(own.registry(), own.families(), base, null), ok, nanos);
        }
    }

    /** One backend request of {@code op} for the backend mounted at {@code backend} ended. */
    /** One backend request; {@code bytes} is what a read brought from the store (backend_read_file_bytes_total). */
    public void backendOp(String backend, String op, boolean ok, long nanos, long bytes) {
        if (bytes > 0) {
            readBytes.labelValues(backend).inc(bytes);
        }
        Family f = family("backend_" + op, "backend");
        if (ok) {
            f.successes().labelValues(backend).inc();
            f.successLatency().labelValues(backend).observe(nanos / 1e9);
        } else {
            f.failures().labelValues(backend).inc();
            f.failureLatency().labelValues(backend).observe(nanos / 1e9);
        }
    }

    /** A counter whose value is read at scrape time (e.g. from the cache's own counters). */
    public void counter(String name, String help, DoubleSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** A gauge read at scrape time. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** Writes every metric in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
    }

    /**
     * One backend's metrics (MSFS's /metrics/<dir_name>): its own FUSE families, then the samples
     * labelled {@code backend="<dirName>"}, each family's HELP and TYPE before them.
     */
    public void writeBackend(OutputStream out, String dirName) throws IOException {
        PerBackend own = perBackend.get(dirName);
        if (own != null) {
            PrometheusTextFormatWriter.create().write(out, own.registry().scrape());
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        write(all);
        String label = "backend=\"" + dirName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        StringBuilder kept = new StringBuilder();
        StringBuilder header = new StringBuilder();
        for (String line : all.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("# HELP ")) {
                header.setLength(0);
            }
            if (line.startsWith("#")) {
                header.append(line).append('\n');
            } else if (line.contains("{" + label + ",") || line.contains("{" + label + "}")) {
                kept.append(header).append(line).append('\n');
                header.setLength(0); // written once, before the family's first kept sample
            }
        }
        out.write(kept.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private static void record(Family f, boolean ok, long nanos) {
        if (ok) {
            f.successes().inc();
            f.successLatency().observe(nanos / 1e9);
        } else {
            f.failures().inc();
            f.failureLatency().observe(nanos / 1e9);
        }
    }

    private Family family(String base, String label) {
        return family(registry, families, base, label);
    }

    private static Family family(PrometheusRegistry registry, Map<String, Family> families, String base, String label) {
        return families.computeIfAbsent(base, b -> {
            String[] labels = label == null ? new String[0] : new String[] {label};
            return new Family(
                    Counter.builder().name(b + "_successes_total").help(b + " requests that succeeded").labelNames(labels).register(registry),
                    Counter.builder().name(b + "_failures_total").help(b + " requests that failed").labelNames(labels).register(registry),
                    Histogram.builder().name(b + "_success_latency_seconds").help(b + " latency of successes")
                            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).labelNames(labels).register(registry),
                    Histogram.builder().name(b + "_failure_latency_seconds").help(b + " latency of failures")
                            .classicOnly().classicUpperBounds(LATENCY_BUCKETS).labelNames(labels).register(registry));
        });
    }
}
