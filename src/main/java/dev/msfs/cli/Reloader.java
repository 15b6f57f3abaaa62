package dev.msfs.cli;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendFactory;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.ConfigException;
import dev.msfs.config.ConfigLoader;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.ReloadPlan;
import dev.msfs.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Re-reads the config on SIGHUP, and every {@code auto_sighup_interval} seconds when the file
 * changed: backends added appear under the root, backends removed disappear (their open files keep
 * reading). A reload that would change anything else, or a file that does not parse, is refused
 * with a logged error and the running config keeps serving. Reloads run one at a time (this
 * object's monitor); none touches a read in flight.
 */
final class Reloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Reloader.class.getName());

    private final Path file;
    private final FileSystem fs;
    private MsfsConfig running;           // guarded by this
    private byte[] lastSeen;              // guarded by this: the file's bytes at the last attempt
    private final ScheduledExecutorService timer;
    private final Wrap wrap;

    /** What a started backend is served through (metrics, a manifest); refused with the reason. */
    @FunctionalInterface
    interface Wrap {
        Backend apply(BackendConfig config, Backend backend) throws dev.msfs.config.ConfigException;
    }
    private final dev.msfs.metrics.BackendStates states;

    /** @param wrap applied to every backend a reload adds (metering) */
    Reloader(Path file, MsfsConfig running, FileSystem fs, Wrap wrap,
             dev.msfs.metrics.BackendStates states) {
        this.states = states;
        this.file = file;
        this.wrap = wrap;
        this.running = running;
        this.fs = fs;
        this.lastSeen = read();
        long every = running.autoSighupSeconds();
        if (every > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "msfs-auto-sighup");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(() -> reload(false), every, every, TimeUnit.SECONDS);
        } else {
            timer = null;
        }
    }

    /**
     * Installs the SIGHUP handler (the JVM's own signal thread runs it). A process started with
     * SIGHUP ignored (under nohup) keeps it ignored, so reloads by signal cannot work: say so.
     */
    void onSighup() {
        sun.misc.SignalHandler before = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> reload(true));
        if (before == sun.misc.SignalHandler.SIG_IGN) {
            LOG.warning("SIGHUP is ignored by this process (started under nohup?): kill -HUP will not reload the config;"
                    + " set auto_sighup_interval, or start msfs without nohup");
        }
    }

    /** @param always false for the timer: only when the file's bytes changed since the last attempt */
    synchronized void reload(boolean always) {
        byte[] now = read();
        if (!always && Arrays.equals(now, lastSeen)) {
            return;
        }
        lastSeen = now;
        try {
            MsfsConfig next = ConfigLoader.forProcess().load(file);
            next.warnings().forEach(w -> LOG.warning("reload: " + w));
            ReloadPlan plan = ReloadPlan.between(running, next);
            if (!running.telemetry().equals(next.telemetry())) {
                LOG.warning("reload: the opentelemetry section changed; the metric export keeps its settings until msfs restarts");
            }
            for (BackendConfig b : plan.removed()) {
                fs.removeVolume(b.dirName());
                states.removed(b.dirName());
                LOG.info(() -> "reload: removed backend " + b.dirName());
            }
            for (BackendConfig b : plan.added()) {
                Backend created = BackendFactory.routed(b, BackendFactory.create(b), fs::backend);
                Backend backend;
                try {
                    backend = wrap.apply(b, created);
                } catch (ConfigException e) {
                    created.close();
                    throw e;
                }
                fs.addVolume(b, backend);
                states.serving(b.dirName(), b.type().sectionName(), backend.describe());
                LOG.info(() -> "reload: added backend " + b.dirName() + " (" + b.type().sectionName() + ")");
            }
            running = next;
            if (plan.isEmpty()) {
                LOG.info("reload: no change");
            }
        } catch (ConfigException e) {
            LOG.severe("reload refused, still serving the previous config: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.severe("reload failed, still serving the previous config: " + e);
        }
    }

    private byte[] read() {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
