package dev.msfs.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What {@code /backends} shows: each configured backend and its state. {@code serving} (with the
 * store's answer to the probe at mount, when it had a problem), or {@code failed} with the reason
 * it could not start, in which case the mount runs without it (as MSFS skips such a backend).
 * Messages are the ones logged: they never hold a credential.
 */
public final class BackendStates {
    /** @param problem null when none */
    private record State(String type, String store, boolean serving, String problem) {
    }

    private final Map<String, State> byName = new ConcurrentSkipListMap<>();

    public void serving(String dirName, String type, String store) {
        byName.put(dirName, new State(type, store, true, null));
    }

    /** The store did not answer the probe; the backend is mounted anyway. */
    public void probeFailed(String dirName, String problem) {
        byName.computeIfPresent(dirName, (k, s) -> new State(s.type(), s.store(), s.serving(), problem));
    }

    public void failed(String dirName, String type, String reason) {
        byName.put(dirName, new State(type, "", false, reason));
    }

    public void removed(String dirName) {
        byName.remove(dirName);
    }

    /** [{"dir_name", "backend_type", "state": "serving" | "failed", "store", "problem"}, …] sorted by dir_name. */
    /** Whether a backend of that dir_name is configured (serving, or failed to start). */
    public boolean known(String dirName) {
        return byName.containsKey(dirName);
    }

    public String json() {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.writeStartArray();
            for (Map.Entry<String, State> e : byName.entrySet()) {
                State s = e.getValue();
                g.writeStartObject();
                g.writeStringField("dir_name", e.getKey());
                g.writeStringField("backend_type", s.type());
                g.writeStringField("state", s.serving() ? "serving" : "failed");
                if (!s.store().isEmpty()) {
                    g.writeStringField("store", s.store());
                }
                if (s.problem() != null) {
                    g.writeStringField(s.serving() ? "probe" : "reason", s.problem());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out + "\n";
    }
}
