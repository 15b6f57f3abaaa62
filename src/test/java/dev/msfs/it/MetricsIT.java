package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint of a real mount: /metrics moves with reads, /healthz and /readyz answer, and all closes with the mount. */
class MetricsIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** The Prometheus text format: "name{labels} value" lines; comments skipped. Sums samples of one name+labels key. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Every name MSFS registers (NVIDIA/multi-storage-client, multi-storage-file-system: metrics.go,
     * and the families its http.go registers, whose write operations and entry counters are newer
     * than the stored metrics.go; the entry counters' names as the drop-in issue gives them), so its
     * dashboards work unchanged: per FUSE and backend operation four families, and these others.
     */
    private static final List<String> MSFS_FUSE_OPS = List.of("lookup", "getattr", "mknod", "mkdir", "unlink", "rmdir", "open",
            "read", "release", "opendir", "readdir", "releasedir", "create", "readdirplus", "statx");
    private static final List<String> MSFS_BACKEND_OPS = List.of("delete_file", "list_directory", "read_file",
            "stat_directory", "stat_file");
    private static final List<String> MSFS_OTHERS = List.of("fission_read_success_size_bytes", "fission_read_failure_size_bytes",
            "fission_read_cache_hits_total", "fission_read_cache_misses_total", "fission_read_cache_waits_total",
            "fission_read_cache_prefetches_total", "fission_statfs_calls_total", "fission_readdir_entries_total",
            "fission_readdirplus_entries_total");

    static List<String> msfsNames() {
        List<String> names = new java.util.ArrayList<>(MSFS_OTHERS);
        for (String prefix : List.of("fission_", "backend_")) {
            for (String op : prefix.equals("fission_") ? MSFS_FUSE_OPS : MSFS_BACKEND_OPS) {
                for (String suffix : List.of("_successes_total", "_failures_total", "_success_latency_seconds",
                        "_failure_latency_seconds")) {
                    names.add(prefix + op + suffix);
                }
            }
        }
        return names;
    }

    /** The metric names the queries of config-examples/grafana/msfs-dashboard.json use (JSON is YAML). */
    static List<String> dashboardMetrics() throws java.io.IOException {
        Object dashboard = new org.yaml.snakeyaml.Yaml().load(Files.readString(Path.of("config-examples/grafana/msfs-dashboard.json")));
        List<String> exprs = new java.util.ArrayList<>();
        collectExprs(dashboard, exprs);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b((?:fission|backend|msfs)_[a-z_]+)").matcher(String.join(" ", exprs));
        java.util.Set<String> names = new java.util.TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(exprs.size() >= 10 && names.size() >= 20, "the dashboard's queries were not found: " + exprs);
        return List.copyOf(names);
    }

    private static void collectExprs(Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if ("expr".equals(k) && v instanceof String e) {
                    out.add(e);
                } else {
                    collectExprs(v, out);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collectExprs(item, out));
        }
    }

    @Test
    void everyMetricMsfsNamesIsThereFromTheFirstScrape(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\nendpoint: http://127.0.0.1:"
                + port + "\nbackends:\n  - {dir_name: p, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2, file_size: 3000}}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            Map<String, Double> samples = parse(get(port, "/metrics").body());
            List<String> missing = msfsNames().stream().filter(name -> samples.keySet().stream().noneMatch(
                    k -> k.equals(name) || k.startsWith(name + "{") || k.equals(name + "_count") || k.startsWith(name + "_count{"))).toList();
            assertEquals(List.of(), missing, "MSFS's metric names msfs does not export");
            assertTrue(samples.containsKey("backend_stat_directory_successes_total{backend=\"p\"}"), samples.keySet().toString());
            Files.readAllBytes(mnt.resolve("p/file_00000001"));
            try (java.util.stream.Stream<Path> listed = Files.list(mnt.resolve("p"))) {
                assertEquals(2, listed.count());
            }
            Map<String, Double> after = parse(get(port, "/metrics").body());
            assertTrue(after.get("fission_readdirplus_entries_total") + after.get("fission_readdir_entries_total") >= 2,
                    "entries: " + after.get("fission_readdirplus_entries_total") + " + " + after.get("fission_readdir_entries_total")
                    + ", readdir " + after.get("fission_readdir_successes_total") + ", readdirplus "
                    + after.get("fission_readdirplus_successes_total") + ", opendir " + after.get("fission_opendir_successes_total"));
            assertEquals(1.0, after.get("fission_read_success_size_bytes_count"), 0.0, "one read of a 3000-byte file");
            assertEquals(3000.0, after.get("fission_read_success_size_bytes_sum"), 0.0);
            HttpResponse<String> refused = get(port, "/drain");
            assertEquals(405, refused.statusCode(), "/drain changes state: POST only");
            assertEquals("POST", refused.headers().firstValue("Allow").orElse(""));
            HttpResponse<String> drained = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/drain"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, drained.statusCode());
            assertEquals("1", drained.body().strip(), "the one cached line");
            assertTrue(get(port, "/").body().contains("/drain"));
            List<String> dump = List.of(get(port, "/dump").body().strip().split("\n"));
            assertTrue(dump.stream().anyMatch(l -> l.matches("\\d+ f \\d+ p/file_00000001")), dump.toString());
            assertTrue(dump.stream().anyMatch(l -> l.matches("\\d+ d \\d+ p/")), dump.toString());
            List<String> first = List.of(get(port, "/dump?max=1").body().strip().split("\n"));
            assertEquals(2, first.size(), first.toString());
            assertTrue(first.get(1).matches("\\.\\.\\. \\d+ more"), first.toString());
            assertEquals(400, get(port, "/dump?max=lots").statusCode());
            String locks = get(port, "/locks").body();
            assertTrue(locks.matches("(?s)cache  holds [1-9]\\d*  avg .*\ninodes  holds [1-9]\\d*  avg .*"), locks);
            assertEquals("no hang detected\n", get(port, "/hang").body());
            List<String> unexported = dashboardMetrics().stream().filter(name -> after.keySet().stream().noneMatch(
                    k -> k.equals(name) || k.startsWith(name + "{"))).toList();
            assertEquals(List.of(), unexported, "metrics the shipped dashboard queries that msfs does not export");
            String one = get(port, "/metrics/p").body();
            Map<String, Double> ofP = parse(one);
            assertEquals(1.0, ofP.get("backend_read_file_successes_total{backend=\"p\"}"), 0.0, one);
            // As MSFS's per-backend registry: this backend's FUSE families under their own names, and its backend_* samples.
            assertEquals(1.0, ofP.get("fission_read_successes_total"), 0.0, one);
            assertTrue(ofP.get("fission_lookup_successes_total") >= 1, one);
            assertTrue(ofP.containsKey("fission_mkdir_failures_total"), "every MSFS FUSE family, at zero until used: " + one);
            assertTrue(ofP.keySet().stream().filter(k -> !k.startsWith("fission_")).allMatch(k -> k.contains("backend=\"p\"")), one);
            assertTrue(one.contains("# TYPE backend_read_file_successes_total counter"), one);
            assertEquals(404, get(port, "/metrics/nope").statusCode());
        }
    }

    @Test
    void metricsMoveWithReadsAndTheEndpointClosesWithTheMount(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nendpoint: http://127.0.0.1:" + port + "\nbackends:\n"
                + "  - {dir_name: p, backend_type: PSEUDO, trace_level: 3, PSEUDO: {files_at_depth_0: 2, file_size: 3000000}}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString(), "--log-format", "json");
        try (msfs) {
            assertEquals(200, get(port, "/readyz").statusCode());
            assertEquals(200, get(port, "/healthz").statusCode());
            Map<String, Double> before = parse(get(port, "/metrics").body());
            Files.readAllBytes(mnt.resolve("p/file_00000001"));
            Files.readAllBytes(mnt.resolve("p/file_00000001"));
            HttpResponse<String> r = get(port, "/metrics");
            assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
            Map<String, Double> after = parse(r.body());
            assertTrue(after.get("fission_read_successes_total") > before.getOrDefault("fission_read_successes_total", 0.0), r.body());
            assertTrue(after.get("fission_lookup_successes_total") >= 1, r.body());
            assertTrue(after.get("fission_read_cache_misses_total") >= 1, r.body());
            assertTrue(after.get("fission_read_cache_hits_total") >= 1, r.body());
            assertEquals(3_000_000 * 2.0, after.get("msfs_bytes_served_total"), 3_000_000.0, r.body());
            assertTrue(after.get("backend_read_file_successes_total{backend=\"p\"}") >= 1, r.body());
            // Read twice, fetched once: the cache's efficiency from /metrics alone.
            assertEquals(3_000_000.0, after.get("backend_read_file_bytes_total{backend=\"p\"}"), r.body());
            assertTrue(after.get("fission_read_success_latency_seconds_count") >= after.get("fission_read_successes_total"), r.body());
            assertTrue(after.containsKey("msfs_open_handles"), r.body());

            assertTrue(msfs.terminate(Duration.ofSeconds(30)) != -1, "msfs did not exit:\n" + msfs.log());
            assertThrows(ConnectException.class, () -> get(port, "/healthz"));
            assertFalse(msfs.log().contains("Exception"), msfs.log());
            for (String line : msfs.log().strip().split("\n")) { // JSON logs: one object per line
                assertTrue(line.startsWith("{\"time\":\"") && line.endsWith("}"), line);
            }
            assertTrue(msfs.log().contains("[TRACE] p read_file file_00000001 @0+"), msfs.log()); // trace_level 3: details
        }
    }

    /** As MSFS: "http://:PORT" listens on every interface, and port 0 takes a free port, which the log names. */
    @Test
    void anEndpointOnEveryInterfaceAndAFreePort(@TempDir Path dir) throws Exception {
        Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nallow_other: false\nendpoint: \"http://:0\"\n"
                + "backends:\n  - {dir_name: p, backend_type: PSEUDO}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("at http://0\\.0\\.0\\.0:(\\d+) \\(every interface\\)")
                    .matcher(msfs.log());
            assertTrue(m.find(), msfs.log());
            int port = Integer.parseInt(m.group(1));
            assertTrue(port > 0, msfs.log());
            assertEquals(200, get(port, "/readyz").statusCode());
            HttpResponse<String> index = get(port, "/");
            assertEquals(200, index.statusCode());
            assertTrue(index.body().contains("/backends") && index.body().contains("/metrics"), index.body());
            assertEquals(404, get(port, "/nothing-here").statusCode());
        }
    }
}
