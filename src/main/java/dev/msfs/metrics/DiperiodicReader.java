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

    private final MetricExporter exporter;
    private final Duration collectInterval;
    private final Duration exportInterval;
    private final Duration exportTimeout;
    /** One thread each, so a slow export never delays a sample, and two exports never overlap. */
    private final ScheduledExecutorService collector = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("msfs-otel-collect").factory());
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("msfs-otel-export").factory());
    /** Guards {@link #samples}: collects append, an export swaps the list out. */
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
        collector.scheduleAtFixedRate(this::collect, collectMillis, collectMillis, TimeUnit.MILLISECONDS);
        sender.scheduleAtFixedRate(this::export, exportMillis, exportMillis, TimeUnit.MILLISECONDS);
    }

    /** Cumulative, as MSFS's reader (Go's ManualReader) reports. */
    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    /** Samples are kept until the export: each collect must hand out data of its own. */
    @Override
    public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
    }

    private void collect() {
        try {
            var sample = registration.collectAllMetrics();
            synchronized (lock) {
                samples.addAll(sample);
            }
        } catch (RuntimeException e) { // a failed sample must not end the schedule
            LOG.warning("OpenTelemetry: collecting metrics failed: " + e);
        }
    }

    /** Sends what was gathered; a failure is logged by the exporter and the samples are dropped. */
    private CompletableResultCode export() {
        List<MetricData> batch;
        synchronized (lock) {
            batch = samples;
            samples = new ArrayList<>();
        }
        if (batch.isEmpty()) {
            return CompletableResultCode.ofSuccess();
        }
        try {
            return exporter.export(batch).join(exportTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            LOG.warning("OpenTelemetry: exporting metrics failed: " + e);
            return CompletableResultCode.ofFailure();
        }
    }

    /** Samples now and sends everything gathered, on the export thread (never beside another export). */
    @Override
    public CompletableResultCode forceFlush() {
        CompletableResultCode done = new CompletableResultCode();
        try {
            sender.execute(() -> {
                collect();
                if (export().isSuccess()) {
                    done.succeed();
                } else {
                    done.fail();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.fail(); // shut down already
        }
        return done;
    }

    /**
     * A last sample and export (MSFS flushes at exit too), then the exporter is closed: on the
     * export thread, after any export still running, so the caller decides how long to wait.
     */
    @Override
    public CompletableResultCode shutdown() {
        collector.shutdownNow();
        CompletableResultCode done = new CompletableResultCode();
        try {
            sender.execute(() -> {
                collect();
                CompletableResultCode last = export();
                exporter.shutdown().whenComplete(() -> {
                    if (last.isSuccess()) {
                        done.succeed();
                    } else {
                        done.fail();
                    }
                });
            });
            sender.shutdown();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.fail(); // shut down already
        }
        return done;
    }
}
