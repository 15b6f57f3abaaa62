package dev.msfs.metrics;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * MSC's "diperiodic" reader: samples every metric each collect interval (1 s by default) and sends
 * the samples gathered since the last export each export interval (60 s), so a collector sees
 * per-second gauges at one request a minute. Samples of an export that fails are dropped, as MSC
 * drops them: what waits for the next export is at most one interval's worth.
 */
final class DiperiodicReader implements MetricReader {
    private static final Logger LOG = Logger.getLogger(DiperiodicReader.class.getName());
    /**
     * Data points per request: one minute of per-second samples of many backends would pass the
     * exporter's 64 MiB body limit (about 0.5 MB per backend per minute), so a batch goes in parts.
     */
    static final int POINTS_PER_REQUEST = 50_000;

    private final MetricExporter exporter;
    private final Duration collectInterval;
    private final Duration exportInterval;
    private final Duration exportTimeout;
    /** One thread each, so a slow export never delays a sample, and two exports never overlap. */
    private final ScheduledExecutorService collector = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("msfs-otel-collect").factory());
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("msfs-otel-export").factory());
    /**
     * Guards {@link #samples}, and each whole collect: the SDK reads the clock before its own lock,
     * so two collects at once (the last one at shutdown) could stamp the larger sums earlier.
     */
    private final Object lock = new Object();
    private List<MetricData> samples = new ArrayList<>();
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    DiperiodicReader(MetricExporter exporter, Duration collectInterval, Duration exportInterval, Duration exportTimeout) {
        this.exporter = exporter;
        this.collectInterval = collectInterval;
        this.exportInterval = exportInterval;
        this.exportTimeout = exportTimeout;
    }

    @Override
    public void register(CollectionRegistration registration) {
        this.registration = registration;
        long collectMillis = collectInterval.toMillis();
        long exportMillis = exportInterval.toMillis();
        // With a fixed delay, a process that was frozen resumes sampling; it does not make up the missed samples at once.
        collector.scheduleWithFixedDelay(this::collect, collectMillis, collectMillis, TimeUnit.MILLISECONDS);
        sender.scheduleAtFixedRate(this::export, exportMillis, exportMillis, TimeUnit.MILLISECONDS);
    }

    /** Cumulative, as MSFS's reader (Go's ManualReader) reports. */
    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    /** Samples are kept until the export: each collect must hand out data of its own (the SDK's default). */
    @Override
    public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
    }

    /** A scheduled task that throws is never run again: say why, and go on. */
    private void collect() {
        try {
            synchronized (lock) {
                samples.addAll(registration.collectAllMetrics());
            }
        } catch (Throwable t) {
            LOG.warning("OpenTelemetry: collecting metrics failed: " + t);
        }
    }

    /** Sends what was gathered, in parts of at most {@link #POINTS_PER_REQUEST}; a part that fails is dropped. */
    private boolean export() {
        List<MetricData> batch;
        synchronized (lock) {
            batch = samples;
            samples = new ArrayList<>();
        }
        boolean allSent = true;
        try {
            for (List<MetricData> part : parts(batch)) {
                allSent &= exporter.export(part).join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS).isSuccess();
            }
        } catch (Throwable t) { // the exporter logs its own failures; this is anything else
            LOG.warning("OpenTelemetry: exporting metrics failed: " + t);
            allSent = false;
        }
        return allSent;
    }

    static List<List<MetricData>> parts(List<MetricData> batch) {
        List<List<MetricData>> parts = new ArrayList<>();
        List<MetricData> part = new ArrayList<>();
        int points = 0;
        for (MetricData m : batch) {
            int n = m.getData().getPoints().size();
            if (!part.isEmpty() && points + n > POINTS_PER_REQUEST) {
                parts.add(part);
                part = new ArrayList<>();
                points = 0;
            }
            part.add(m);
            points += n;
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    /** Samples now and sends everything gathered, on the export thread (never beside another export). */
    @Override
    public CompletableResultCode forceFlush() {
        return onSender(false);
    }

    /**
     * A last sample and export (MSFS flushes at exit too), then the exporter is closed: on the
     * export thread, after any export still running, so the caller decides how long to wait.
     */
    @Override
    public CompletableResultCode shutdown() {
        collector.shutdown();
        CompletableResultCode done = onSender(true);
        sender.shutdown();
        return done;
    }

    private CompletableResultCode onSender(boolean last) {
        CompletableResultCode done = new CompletableResultCode();
        try {
            sender.execute(() -> {
                boolean sent = false;
                try {
                    if (last) {
                        collector.awaitTermination(exportTimeout.toMillis(), TimeUnit.MILLISECONDS); // a collect in progress ends first
                    }
                    collect();
                    sent = export();
                    if (last) {
                        exporter.shutdown().join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    }
                } catch (Throwable t) {
                    LOG.warning("OpenTelemetry: the last export failed: " + t);
                } finally {
                    if (sent) {
                        done.succeed();
                    } else {
                        done.fail();
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            done.fail(); // shut down already
        }
        return done;
    }
}
