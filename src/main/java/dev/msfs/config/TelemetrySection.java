package dev.msfs.config;

import dev.msfs.config.TelemetryConfig.Attribute;
import dev.msfs.config.TelemetryConfig.Source;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads MSC's {@code opentelemetry} section into a {@link TelemetryConfig}, as MSFS does: an
 * exporter of a type other than {@code otlp}, or one without an endpoint, turns metric export off
 * with a warning instead of refusing the config. Numbers and the attribute providers are checked.
 */
final class TelemetrySection {
    private static final Map<String, Source> PROVIDERS = Map.of("static", Source.STATIC, "host", Source.HOST,
            "process", Source.PROCESS, "environment_variables", Source.ENVIRONMENT, "msc_config", Source.CONFIG);
    /** MSC's expressions are JMESPath; msfs evaluates their paths: names, "quoted names" and [index]. */
    private static final Pattern PATH_STEP = Pattern.compile("\\G(?:\\.?([A-Za-z_][A-Za-z0-9_-]*)|\\.?\"([^\"]*)\"|\\[(\\d+)])");
    private static final Pattern HASH = Pattern.compile("hash\\(\\s*['\"]([^'\"]+)['\"]\\s*,\\s*(.+)\\)");
    private static final Map<String, String> DIGESTS = Map.of("md5", "MD5", "sha224", "SHA-224", "sha256", "SHA-256",
            "sha384", "SHA-384", "sha512", "SHA-512", "sha3-224", "SHA3-224", "sha3-256", "SHA3-256", "sha3-384", "SHA3-384",
            "sha3-512", "SHA3-512");

    private TelemetrySection() {
    }

    /**
     * @param top      the document's top level; {@code msc_config} expressions are evaluated over it
     * @param notUsed  collects the key paths present but not acted on (traces, logs)
     * @return the export to run, or empty when there is none (no section, or a warning said why)
     */
    static Optional<TelemetryConfig> read(NodeReader top, EnvSubstitution env, List<String> notUsed) throws ConfigException {
        Optional<NodeReader> section = top.mapping("opentelemetry");
        if (section.isEmpty()) {
            return Optional.empty();
        }
        NodeReader otel = section.get();
        Optional<NodeReader> metricsSection = otel.mapping("metrics");
        notUsed.addAll(otel.accept(Set.copyOf(otel.keys())));
        otel.rejectUnknown();
        if (metricsSection.isEmpty()) {
            return Optional.empty();
        }
        NodeReader metrics = metricsSection.get();
        List<Attribute> attributes = attributes(metrics, top, env);
        Duration[] timing = {TelemetryConfig.DEFAULT_COLLECT_INTERVAL, TelemetryConfig.DEFAULT_COLLECT_TIMEOUT,
                TelemetryConfig.DEFAULT_EXPORT_INTERVAL, TelemetryConfig.DEFAULT_EXPORT_TIMEOUT};
        Optional<NodeReader> reader = metrics.mapping("reader");
        if (reader.isPresent()) {
            reader.get().string("type", "diperiodic"); // MSC's reader kinds; MSFS, and msfs, always sample and send apart
            Optional<NodeReader> options = reader.get().mapping("options");
            if (options.isPresent()) {
                String[] keys = {"collect_interval_millis", "collect_timeout_millis", "export_interval_millis", "export_timeout_millis"};
                for (int i = 0; i < keys.length; i++) {
                    long millis = options.get().integer(keys[i], 0, 0, 24L * 3600 * 1000);
                    if (millis > 0) { // as MSFS: 0 (or absent) is the default
                        timing[i] = Duration.ofMillis(millis);
                    }
                }
                options.get().rejectUnknown();
            }
            reader.get().rejectUnknown();
        }
        Optional<URI> endpoint = exporter(metrics);
        metrics.rejectUnknown();
        return endpoint.map(uri -> new TelemetryConfig(uri, timing[0], timing[1], timing[2], timing[3], attributes));
    }

    /** The collector's URL, or empty (with a warning) when this exporter cannot be used. */
    private static Optional<URI> exporter(NodeReader metrics) throws ConfigException {
        Optional<NodeReader> section = metrics.mapping("exporter");
        if (section.isEmpty()) {
            return Optional.empty(); // MSFS: no exporter, no metrics, said at INFO
        }
        NodeReader exporter = section.get();
        String type = exporter.requiredString("type");
        Optional<NodeReader> options = exporter.mapping("options");
        exporter.rejectUnknown();
        if (!type.equals("otlp")) {
            options.ifPresent(o -> o.accept(Set.copyOf(o.keys())));
            exporter.warn("type", "\"" + type + "\" is not an exporter msfs has (otlp, over HTTP); metrics are not exported"
                    + (type.equals("_otlp_msal") ? " (Azure MSAL authentication is MSFS's alone)" : ""));
            return Optional.empty();
        }
        if (options.isEmpty() || options.get().string("endpoint", "").isEmpty()) {
            exporter.warn("type", "otlp needs options.endpoint (host:port or a URL); metrics are not exported");
            options.ifPresent(o -> o.accept(Set.copyOf(o.keys())));
            return Optional.empty();
        }
        NodeReader o = options.get();
        String endpoint = o.string("endpoint", "");
        boolean insecure = o.bool("insecure", true); // MSFS's default
        o.rejectUnknown();
        return Optional.of(metricsUrl(o, endpoint, insecure));
    }

    /** Go's exporter takes host:port (MSFS's dev config: "otel-collector:4318"), Python's a URL: take both. */
    private static URI metricsUrl(NodeReader options, String endpoint, boolean insecure) throws ConfigException {
        String url = endpoint.contains("://") ? endpoint : (insecure ? "http://" : "https://") + endpoint;
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw options.error("endpoint", "not a URL or host:port: \"" + endpoint + "\"");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw options.error("endpoint", "expected host:port or an http(s) URL, got \"" + endpoint + "\"");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/") ? "/v1/metrics"
                : uri.getRawPath();
        return uri.resolve(path);
    }

    private static List<Attribute> attributes(NodeReader metrics, NodeReader top, EnvSubstitution env) throws ConfigException {
        List<Attribute> out = new ArrayList<>();
        for (NodeReader provider : metrics.mappings("attributes")) {
            String type = provider.requiredString("type");
            Source source = PROVIDERS.get(type);
            if (source == null) {
                throw provider.error("type", "unknown attribute provider \"" + type + "\": expected one of "
                        + String.join(", ", new java.util.TreeSet<>(PROVIDERS.keySet())));
            }
            Optional<NodeReader> givenOptions = provider.mapping("options");
            if (givenOptions.isEmpty()) { // MSFS's own docs write "- type: host" alone: no attributes then
                provider.rejectUnknown();
                continue;
            }
            NodeReader options = givenOptions.get();
            Optional<NodeReader> givenAttrs = options.mapping("attributes");
            if (givenAttrs.isEmpty()) {
                options.rejectUnknown();
                provider.rejectUnknown();
                continue;
            }
            NodeReader attrs = givenAttrs.get();
            for (String key : List.copyOf(attrs.keys())) {
                out.add(switch (source) {
                    case CONFIG -> {
                        NodeReader spec = attrs.mapping(key).orElseThrow(() -> attrs.error(key, "expected {expression: ...}"));
                        String expression = spec.requiredString("expression");
                        spec.rejectUnknown();
                        yield new Attribute(key, source, evaluate(spec, expression, top.node(), env));
                    }
                    case HOST -> new Attribute(key, source, expect(attrs, key, "name"));
                    case PROCESS -> new Attribute(key, source, expect(attrs, key, "pid"));
                    default -> new Attribute(key, source, attrs.string(key, ""));
                });
            }
            options.rejectUnknown();
            provider.rejectUnknown();
        }
        return out;
    }

    private static String expect(NodeReader attrs, String key, String only) throws ConfigException {
        String v = attrs.string(key, "");
        if (!v.equals(only)) {
            throw attrs.error(key, "expected \"" + only + "\", got \"" + v + "\"");
        }
        return v;
    }

    /** A path expression (or hash('algorithm', path)) over the config; "" when it finds nothing, as MSC leaves it out. */
    private static String evaluate(NodeReader spec, String expression, Node root, EnvSubstitution env) throws ConfigException {
        String expr = expression.trim();
        Matcher hash = HASH.matcher(expr);
        if (hash.matches()) {
            String algorithm = DIGESTS.get(hash.group(1));
            if (algorithm == null) {
                throw spec.error("expression", "hash algorithm \"" + hash.group(1) + "\" is not one of "
                        + String.join(", ", new java.util.TreeSet<>(DIGESTS.keySet())));
            }
            String value = evaluate(spec, hash.group(2), root, env);
            try {
                return value.isEmpty() ? "" : HexFormat.of().formatHex(
                        MessageDigest.getInstance(algorithm).digest(value.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw spec.error("expression", "this JVM has no " + algorithm);
            }
        }
        Node at = root;
        Matcher step = PATH_STEP.matcher(expr);
        int end = 0;
        while (end < expr.length() && step.find() && step.start() == end) {
            end = step.end();
            at = step.group(3) != null ? element(at, Integer.parseInt(step.group(3)))
                    : member(at, step.group(1) != null ? step.group(1) : step.group(2));
        }
        if (end != expr.length() || expr.isEmpty()) {
            throw spec.error("expression", "msfs evaluates paths such as backends[0].S3.bucket_container_name (and"
                    + " hash('sha256', path)); \"" + expression + "\" is a JMESPath expression beyond that");
        }
        if (!(at instanceof ScalarNode s)) {
            return "";
        }
        try {
            return env.apply(s.getValue());
        } catch (IllegalArgumentException e) {
            throw spec.error("expression", "the value it finds has a bad variable reference");
        }
    }

    private static Node member(Node at, String name) {
        if (at instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name)) {
                    return t.getValueNode();
                }
            }
        }
        return null;
    }

    private static Node element(Node at, int index) {
        return at instanceof SequenceNode s && index < s.getValue().size() ? s.getValue().get(index) : null;
    }
}
