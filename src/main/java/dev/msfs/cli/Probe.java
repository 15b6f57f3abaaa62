package dev.msfs.cli;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.config.BackendConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One cheap request per backend ({@link Backend#probe}: a listing of one key under the prefix), all
 * at once, so that a missing bucket, a wrong endpoint or a refused secret is said at start, naming
 * the backend, its endpoint and bucket, and the store's answer, instead of as an EIO later.
 */
final class Probe {
    /** How long the probes may take together; a store that has not answered by then is reported as such. */
    static final Duration LIMIT = Duration.ofSeconds(10);

    /** @param problem null when the store answered */
    record Outcome(BackendConfig config, String describe, String problem) {
        String line() {
            return "backend " + config.dirName() + " (" + describe + "): "
                    + (problem == null ? "the store answers" : "the store does not answer the probe: " + problem);
        }
    }

    private Probe() {
    }

    static List<Outcome> all(List<BackendConfig> configs, List<Backend> backends) {
        List<CompletableFuture<String>> running = new ArrayList<>();
        for (Backend b : backends) {
            CompletableFuture<String> outcome = new CompletableFuture<>();
            Thread.ofVirtual().name("msfs-probe").start(() -> { // a store that hangs holds only this thread
                try {
                    b.probe();
                    outcome.complete(null);
                } catch (BackendException e) {
                    outcome.complete(e.getMessage());
                } catch (RuntimeException e) {
                    outcome.complete(e.toString());
                }
            });
            running.add(outcome);
        }
        long deadline = System.nanoTime() + LIMIT.toNanos();
        List<Outcome> out = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            String problem;
            try {
                problem = running.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                problem = "no answer within " + LIMIT.toSeconds() + " s";
            } catch (ExecutionException e) {
                problem = String.valueOf(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problem = "interrupted";
            }
            out.add(new Outcome(configs.get(i), backends.get(i).describe(), problem));
        }
        return out;
    }
}
