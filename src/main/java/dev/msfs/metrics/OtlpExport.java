package dev.msfs.metrics;

import dev.msfs.config.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongGauge;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * MSFS's OpenTelemetry metrics, sent over OTLP/HTTP: for each backend request
 * {@code multistorageclient.request.sum} when it starts, and when it ends
 * {@code multistorageclient.response.sum} and the {@code multistorageclient.latency} gauge, plus,
 * for a successful read, {@code multistorageclient.data_size}, {@code .data_rate} and
 * {@code .data_size.sum}. Each carries {@code multistorageclient.version}, {@code .provider}
 * (the dir_name), {@code .operation} (MSFS's names: readFile, listDirectory, …) and, once ended,
 * {@code .status} ({@code success} or {@code error.<KIND>}), and the config's attributes, which
 * the resource carries too; the service is {@code msc-posix}, as MSFS's.
 */
public final class OtlpExport implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OtlpExport.class.getName());
    /** MSFS gives its flush at exit 5 seconds. */
    public static final Duration FLUSH_AT_EXIT = Duration.ofSeconds(5);
    static final AttributeKey<String> VERSION = AttributeKey.stringKey("multistorageclient.version");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("multistorageclient.provider");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("multistorageclient.operation");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("multistorageclient.status");
    private static final Map<String, String> MSFS_OPERATIONS = Map.of("delete_file", "deleteFile",
            "list_directory", "listDirectory", "list_objects", "listObjects", "read_file", "readFile",
            "stat_directory", "statDirectory", "stat_file", "statFile");

    /**
     * The exporter's own log of a failed export (a collector down, a bad URL): one line naming the
     * cause, not a stack trace each interval. Held here so that the filter stays on its logger.
     */
    private static final Logger EXPORTER_LOG = Logger.getLogger("io.opentelemetry.exporter.otlp.internal.HttpExporter");

    static {
        EXPORTER_LOG.setFilter(record -> {
            Throwable t = record.getThrown();
            if (t != null) {
                record.setMessage(record.getMessage() + " (" + t + (t.getCause() == null ? "" : ": " + t.getCause()) + ")");
                record.setThrown(null);
            }
            return true;
        });
    }

    private final SdkMeterProvider provider;
    private final Attributes base;
    private final LongCounter requests;
    private final LongCounter responses;
    private final LongCounter dataSizeSum;
    private final DoubleGauge latency;
    private final LongGauge dataSize;
    private final DoubleGauge dataRate;
    /** Attribute sets by provider, operation and status: built once, not on every request. */
    private final Map<String, Attributes> attributeSets = new ConcurrentHashMap<>();

    private OtlpExport(SdkMeterProvider provider, Attributes base) {
        this.provider = provider;
        this.base = base;
        Meter meter = provider.get("msc-posix");
        requests = meter.counterBuilder("multistorageclient.request.sum").setDescription("Total number of requests")
                .setUnit("{request}").build();
        responses = meter.counterBuilder("multistorageclient.response.sum").setDescription("Total number of responses")
                .setUnit("{response}").build();
        dataSizeSum = meter.counterBuilder("multistorageclient.data_size.sum")
                .setDescription("Total data size across all operations").setUnit("By").build();
        latency = meter.gaugeBuilder("multistorageclient.latency").setDescription("Latency per individual operation")
                .setUnit("s").build();
        dataSize = meter.gaugeBuilder("multistorageclient.data_size").ofLongs()
                .setDescription("Data size per individual operation").setUnit("By").build();
        dataRate = meter.gaugeBuilder("multistorageclient.data_rate").setDescription("Data rate per individual operation")
                .setUnit("By/s").build();
    }

    /** Starts the export the config asks for; nothing is sent before the first export interval ends. */
    public static OtlpExport start(TelemetryConfig config, String version) {
        AttributesBuilder attributes = Attributes.builder();
        for (TelemetryConfig.Attribute a : config.attributes()) {
            String value = valueOf(a);
            if (value != null && !value.isEmpty()) {
                attributes.put(a.key(), value);
            }
        }
        attributes.put(VERSION, version);
        Attributes base = attributes.build();
        OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(config.endpoint().toString())
                .setTimeout(config.exportTimeout()).build();
        SdkMeterProvider provider = SdkMeterProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(base.toBuilder().remove(VERSION)
                        .put("service.name", "msc-posix").build())))
                .registerMetricReader(new DiperiodicReader(exporter, config.collectInterval(), config.exportInterval(),
                        config.exportTimeout()))
                .build();
        LOG.info(() -> "OpenTelemetry: sending multistorageclient.* metrics to " + config.endpoint() + " every "
                + config.exportInterval().toMillis() + " ms, sampled every " + config.collectInterval().toMillis() + " ms");
        return new OtlpExport(provider, base);
    }

    private static String valueOf(TelemetryConfig.Attribute a) {
        return switch (a.source()) {
            case STATIC, CONFIG -> a.value();
            case ENVIRONMENT -> System.getenv(a.value());
            case PROCESS -> Long.toString(ProcessHandle.current().pid());
            case HOST -> hostName();
        };
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(); // no DNS lookup, unlike InetAddress
        } catch (IOException e) {
            return System.getenv("HOSTNAME");
        }
    }

    /** A backend request of {@code op} (msfs's name, as in backend_<op>_*) began at {@code dirName}. */
    public void requested(String dirName, String op) {
        requests.add(1, attributes(dirName, op, null));
    }

    /**
     * It ended: {@code failure} is null for a success, else the failure's kind (NOT_FOUND, TIMEOUT, …);
     * {@code bytes} is what a read brought.
     */
    public void ended(String dirName, String op, String failure, long nanos, long bytes) {
        Attributes a = attributes(dirName, op, failure == null ? "success" : "error." + failure);
        double seconds = nanos / 1e9;
        responses.add(1, a);
        latency.set(seconds, a);
        if (failure == null && bytes > 0) { // as MSC: data sizes only for successes that moved data
            dataSize.set(bytes, a);
            if (seconds > 0) {
                dataRate.set(bytes / seconds, a);
            }
            dataSizeSum.add(bytes, a);
        }
    }

    private Attributes attributes(String dirName, String op, String status) {
        return attributeSets.computeIfAbsent(dirName + '\0' + op + '\0' + status, k -> {
            AttributesBuilder b = base.toBuilder().put(PROVIDER, dirName)
                    .put(OPERATION, MSFS_OPERATIONS.getOrDefault(op, op));
            return (status == null ? b : b.put(STATUS, status)).build();
        });
    }

    /** Sends what is left (waiting at most {@link #FLUSH_AT_EXIT}) and stops. */
    @Override
    public void close() {
        if (!provider.shutdown().join(FLUSH_AT_EXIT.toMillis(), TimeUnit.MILLISECONDS).isSuccess()) {
            LOG.warning("OpenTelemetry: the last metrics could not be sent at exit");
        }
    }
}
