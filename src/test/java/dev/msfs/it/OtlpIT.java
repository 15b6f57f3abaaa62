package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MSC's OpenTelemetry export from a real mount to an OTLP/HTTP receiver that decodes what arrives:
 * MSFS's names, units and attributes, and values that follow known reads.
 */
class OtlpIT {
    private static final int FILE_SIZE = 3_000_000;

    private static Path config(Path dir, String endpoint, long collectMillis, long exportMillis, String moreReaderOptions)
            throws Exception {
        return Files.writeString(dir.resolve("c.yaml"), """
                msfs_version: 1
                allow_other: false
                backends:
                  - {dir_name: p, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2, file_size: %d}}
                opentelemetry:
                  metrics:
                    attributes:
                      - {type: static, options: {attributes: {msc.ppp: test-ppp}}}
                      - {type: host, options: {attributes: {msc.host: name}}}
                      - {type: process, options: {attributes: {msc.pid: pid}}}
                      - {type: environment_variables, options: {attributes: {msc.job: MSFS_TEST_JOB}}}
                      - {type: msc_config, options: {attributes: {msc.kind: {expression: "backends[0].backend_type"}}}}
                    reader:
                      options: {collect_interval_millis: %d, export_interval_millis: %d%s}
                    exporter:
                      type: otlp
                      options: {endpoint: "%s"}
                """.formatted(FILE_SIZE, collectMillis, exportMillis, moreReaderOptions, endpoint));
    }

    /** The last value of a series, by time: sums are cumulative, so the last is the total. */
    private static Optional<OtlpReceiver.Point> last(List<OtlpReceiver.Point> points, String metric, String operation, String status) {
        return points.stream().filter(p -> p.metric().equals(metric) && p.attributes().get("multistorageclient.provider").equals("p")
                        && p.attributes().get("multistorageclient.operation").equals(operation)
                        && java.util.Objects.equals(p.attributes().get("multistorageclient.status"), status))
                .max(Comparator.comparingLong(OtlpReceiver.Point::timeNanos));
    }

    /** Request index to the number of distinct sample times of one series in it. */
    private static Map<Integer, Integer> samplesPerRequest(List<OtlpReceiver.Point> points, Map<String, String> series) {
        Map<Integer, java.util.Set<Long>> times = new java.util.TreeMap<>();
        points.stream().filter(p -> p.metric().equals("multistorageclient.response.sum") && p.attributes().equals(series))
                .forEach(p -> times.computeIfAbsent(p.request(), r -> new java.util.HashSet<>()).add(p.timeNanos()));
        Map<Integer, Integer> counts = new java.util.TreeMap<>();
        times.forEach((r, t) -> counts.put(r, t.size()));
        return counts;
    }

    private static void awaitPoint(OtlpReceiver receiver, String metric, String operation, String status, double value, MsfsProcess msfs)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (last(receiver.points(), metric, operation, status).map(p -> p.value() < value).orElse(true)) {
            assertTrue(System.nanoTime() < deadline, metric + " " + operation + " never reached " + value + "; received "
                    + receiver.requests() + " request(s); log:\n" + msfs.log());
            Thread.sleep(50);
        }
    }

    @Test
    void readsAreExportedWithMsfsNamesAndTheConfigsAttributes(@TempDir Path dir) throws Exception {
        String version;
        try (JarFile jar = new JarFile(System.getProperty("msfs.jar", "target/msfs.jar"))) {
            version = jar.getManifest().getMainAttributes().getValue("Implementation-Version");
        }
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Path cfg = config(dir, receiver.endpoint(), 100, 300, "");
            try (MsfsProcess msfs = MsfsProcess.mount(Map.of("MSFS_TEST_JOB", "job-7"), mnt, "--config", cfg.toString())) {
                assertEquals(FILE_SIZE, Files.readAllBytes(mnt.resolve("p/file_00000001")).length);
                awaitPoint(receiver, "multistorageclient.data_size.sum", "readFile", "success", FILE_SIZE, msfs);
                List<OtlpReceiver.Point> points = receiver.points();

                OtlpReceiver.Point responses = last(points, "multistorageclient.response.sum", "readFile", "success").orElseThrow();
                assertEquals(1, responses.value(), "one line fetched: " + responses);
                assertEquals("{response}", responses.unit());
                assertEquals(1, last(points, "multistorageclient.request.sum", "readFile", null).orElseThrow().value(),
                        "requests are counted when they start, without a status");
                assertEquals(FILE_SIZE, last(points, "multistorageclient.data_size", "readFile", "success").orElseThrow().value());
                OtlpReceiver.Point latency = last(points, "multistorageclient.latency", "readFile", "success").orElseThrow();
                assertEquals("s", latency.unit());
                assertTrue(latency.value() > 0 && latency.value() < 30, latency.toString());
                OtlpReceiver.Point rate = last(points, "multistorageclient.data_rate", "readFile", "success").orElseThrow();
                assertEquals("By/s", rate.unit());
                assertEquals(FILE_SIZE / latency.value(), rate.value(), rate.value() * 1e-6, "bytes over the same latency");
                assertTrue(last(points, "multistorageclient.response.sum", "statFile", "success").isPresent()
                        || last(points, "multistorageclient.response.sum", "listDirectory", "success").isPresent(),
                        "the lookup reached the store under MSFS's operation names: " + points.stream().map(p ->
                                p.attributes().get("multistorageclient.operation")).distinct().toList());

                Map<String, String> attributes = responses.attributes();
                assertEquals(version, attributes.get("multistorageclient.version"));
                assertEquals("test-ppp", attributes.get("msc.ppp"));
                assertEquals(Long.toString(msfs.process().pid()), attributes.get("msc.pid"));
                assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(), attributes.get("msc.host"));
                assertEquals("job-7", attributes.get("msc.job"));
                assertEquals("PSEUDO", attributes.get("msc.kind"));
                Map<String, String> resource = responses.resource();
                assertEquals("msc-posix", resource.get("service.name"));
                assertEquals("test-ppp", resource.get("msc.ppp"));
                assertFalse(resource.containsKey("multistorageclient.provider"), resource.toString());
                // MSC's two intervals: several samples of one series (per 100 ms) travel in one request (per 300 ms).
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (samplesPerRequest(receiver.points(), attributes).values().stream().noneMatch(n -> n >= 2)) {
                    assertTrue(System.nanoTime() < deadline, "samples per request: " + samplesPerRequest(receiver.points(), attributes));
                    Thread.sleep(50);
                }

                assertEquals(0, msfs.terminate(Duration.ofSeconds(30)), msfs.log());
            }
        }
    }

    /** Collect and export intervals longer than the mount's life: only the sample and flush at exit (as MSFS's) send the reads. */
    @Test
    void theLastSamplesAreSentAtExit(@TempDir Path dir) throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver()) {
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Path cfg = config(dir, "http://" + receiver.endpoint(), 600_000, 600_000, "");
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                Files.readAllBytes(mnt.resolve("p/file_00000000"));
                Files.readAllBytes(mnt.resolve("p/file_00000001"));
                assertEquals(0, receiver.requests(), "nothing is sent before the export interval");
                assertEquals(0, msfs.terminate(Duration.ofSeconds(30)), msfs.log());
                assertEquals(1, receiver.requests(), "one export, at exit");
                assertEquals(2 * FILE_SIZE, last(receiver.points(), "multistorageclient.data_size.sum", "readFile", "success")
                        .orElseThrow().value());
            }
        }
    }

    /** A collector that is not there costs the mount nothing: reads work and the exit is clean. */
    @Test
    void aCollectorThatIsDownIsLoggedAndTheMountServes(@TempDir Path dir) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path cfg = config(dir, "127.0.0.1:" + closed, 100, 200, ", export_timeout_millis: 1000");
        try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
            assertEquals(FILE_SIZE, Files.readAllBytes(mnt.resolve("p/file_00000001")).length);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!msfs.log().contains("Failed to export")) {
                assertTrue(System.nanoTime() < deadline, "no word of the failed export:\n" + msfs.log());
                Thread.sleep(50);
            }
            assertEquals(FILE_SIZE, Files.readAllBytes(mnt.resolve("p/file_00000000")).length);
            assertEquals(0, msfs.terminate(Duration.ofSeconds(30)), msfs.log());
            assertFalse(msfs.log().contains("\tat "), "a failed export is one line, not a stack trace:\n" + msfs.log());
        }
    }

    /**
     * A collector that takes the connection and never answers, with a 10-minute export timeout:
     * the exit still comes (the flush at exit waits 5 seconds at most), with status 0.
     */
    @Test
    void aCollectorThatNeverAnswersDoesNotHoldTheExit(@TempDir Path dir) throws Exception {
        try (ServerSocket blackhole = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Path cfg = config(dir, "127.0.0.1:" + blackhole.getLocalPort(), 100, 200, ", export_timeout_millis: 600000");
            try (MsfsProcess msfs = MsfsProcess.mount(mnt, "--config", cfg.toString())) {
                assertEquals(FILE_SIZE, Files.readAllBytes(mnt.resolve("p/file_00000000")).length);
                Thread.sleep(500); // an export is waiting on the collector now
                assertEquals(0, msfs.terminate(Duration.ofSeconds(60)), "no clean exit within a minute:\n" + msfs.log());
                assertTrue(msfs.log().contains("the last metrics could not be sent at exit"), msfs.log());
            }
        }
    }
}
