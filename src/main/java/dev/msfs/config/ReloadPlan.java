package dev.msfs.config;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a reload may do to a running mount: add backends and remove backends. Everything else (a
 * global key, or any field of a backend that stays) cannot change live; such a reload is refused
 * as a whole, naming the first field that differs, and the running config keeps serving.
 */
public record ReloadPlan(List<BackendConfig> added, List<BackendConfig> removed) {
    /**
     * Global keys whose change means nothing to a running mount; and opentelemetry, which MSFS leaves
     * out of its reload check too: its export keeps running as started (the reloader says so).
     */
    private static final Set<String> IGNORED = Set.of("source", "backends", "acceptedNotUsed", "probeAtMount", "warnings",
            "telemetry");
    private static final Map<String, String> KEY_NAMES = Map.of("entryAttrTtlMillis", "entry_attr_ttl",
            "autoSighupSeconds", "auto_sighup_interval", "type", "backend_type", "settings", "(type section)",
            "requestTimeoutMillis", "request_timeout", "retryBaseDelayMillis", "retry_base_delay",
            "retryMaxDelayMillis", "retry_max_delay", "virtualHostedStyle", "virtual_hosted_style_request",
            "profile", "config_credentials_profile");

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty();
    }

    public static ReloadPlan between(MsfsConfig running, MsfsConfig next) throws ConfigException {
        String global = firstDifference(running, next, "");
        if (global != null) {
            throw new ConfigException(next.source() + ": " + global + " cannot change while mounted; reload refused");
        }
        Map<String, BackendConfig> before = byName(running.backends());
        Map<String, BackendConfig> after = byName(next.backends());
        List<BackendConfig> added = new ArrayList<>();
        List<BackendConfig> removed = new ArrayList<>();
        for (BackendConfig b : after.values()) {
            BackendConfig old = before.get(b.dirName());
            if (old == null) {
                added.add(b);
            } else {
                String field = firstDifference(old, b, "backends[" + b.dirName() + "].");
                if (field != null) {
                    throw new ConfigException(next.source() + ": " + field
                            + " cannot change while mounted (remove the backend and add it under a new dir_name); reload refused");
                }
            }
        }
        for (BackendConfig b : before.values()) {
            if (!after.containsKey(b.dirName())) {
                removed.add(b);
            }
        }
        for (BackendConfig b : after.values()) {
            if (b.settings() instanceof TypeSettings.AIStore a && removed.stream().anyMatch(r -> r.dirName().equals(a.manifestGenBackend()))) {
                throw new ConfigException(next.source() + ": backend " + a.manifestGenBackend() + " cannot be removed while "
                        + b.dirName() + " lists through it (manifest_gen_backend); reload refused");
            }
        }
        return new ReloadPlan(List.copyOf(added), List.copyOf(removed));
    }

    /** The key path of the first component that differs (records compared field by field), or null. */
    private static String firstDifference(Record a, Record b, String path) {
        if (a.getClass() != b.getClass()) {
            return path.isEmpty() ? "the config" : path.substring(0, path.length() - 1);
        }
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (path.isEmpty() && IGNORED.contains(c.getName())) {
                continue;
            }
            Object x = value(c, a);
            Object y = value(c, b);
            String key = path + KEY_NAMES.getOrDefault(c.getName(), snake(c.getName()));
            if (x instanceof Record rx && y instanceof Record ry) {
                String inner = firstDifference(rx, ry, key + ".");
                if (inner != null) {
                    return inner;
                }
            } else if (!Objects.deepEquals(x, y)) {
                return key;
            }
        }
        return null;
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String snake(String camel) {
        return camel.replaceAll("Millis$", "").replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static Map<String, BackendConfig> byName(List<BackendConfig> backends) {
        Map<String, BackendConfig> m = new LinkedHashMap<>();
        backends.forEach(b -> m.put(b.dirName(), b));
        return m;
    }
}
