package dev.msfs.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads one YAML/JSON mapping key by key, remembering which keys were read so that the rest can be
 * reported as unknown, and phrasing every error as {@code file:line: key.path: problem}. Scalars
 * are read from their source text (so {@code 0555} stays octal-looking) after variable
 * substitution; values of secret keys never appear in a message.
 */
final class NodeReader {
    static final Set<String> SECRET_KEYS = Set.of(
            "secret_access_key", "authnToken", "authn_token", "api_key", "secret_key", "access_key", "session_token");

    private final String file;
    private final String path;
    private final Node node;
    private final EnvSubstitution env;
    private final UnknownKeys unknown;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> read = new java.util.HashSet<>();

    private NodeReader(String file, String path, MappingNode node, EnvSubstitution env, UnknownKeys unknown)
            throws ConfigException {
        this.file = file;
        this.path = path;
        this.node = node;
        this.env = env;
        this.unknown = unknown;
        for (NodeTuple t : node.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode key)) {
                throw at(t.getKeyNode(), path, "keys must be plain names");
            }
            if (entries.putIfAbsent(key.getValue(), t) != null) {
                throw at(key, child(key.getValue()), "key appears twice");
            }
        }
    }

    static NodeReader root(String file, Node node, EnvSubstitution env, UnknownKeys unknown) throws ConfigException {
        if (!(node instanceof MappingNode m)) {
            throw new ConfigException(file + ":" + line(node) + ": the config must be a mapping of keys to values");
        }
        return new NodeReader(file, "", m, env, unknown);
    }

    /** From here on, unknown keys anywhere in this document are refused (the file's own {@code strict: true}). */
    void makeStrict() {
        unknown.makeStrict();
    }

    String path() {
        return path;
    }

    /** This mapping's own node, for readers that walk the document themselves (MSC's msc_config attributes). */
    Node node() {
        return node;
    }

    boolean has(String key) {
        return entries.containsKey(key);
    }

    Set<String> keys() {
        return entries.keySet();
    }

    Optional<String> string(String key) throws ConfigException {
        NodeTuple t = take(key);
        if (t == null || isNull(t.getValueNode())) {
            return Optional.empty();
        }
        if (!(t.getValueNode() instanceof ScalarNode s)) {
            throw at(t.getValueNode(), child(key), "expected a single value, not a list or mapping");
        }
        try {
            return Optional.of(env.apply(s.getValue()));
        } catch (IllegalArgumentException e) {
            throw at(s, child(key), SECRET_KEYS.contains(key) ? "bad variable reference" : e.getMessage());
        }
    }

    String string(String key, String def) throws ConfigException {
        Optional<String> v = string(key);
        return v.isPresent() ? v.get() : env.apply(def);
    }

    String requiredString(String key) throws ConfigException {
        Optional<String> v = string(key);
        if (v.isEmpty() || v.get().isEmpty()) {
            throw missing(key);
        }
        return v.get();
    }

    long integer(String key, long def, long min, long max) throws ConfigException {
        Optional<String> v = string(key);
        if (v.isEmpty() || v.get().isEmpty()) {
            return def;
        }
        long value;
        try {
            value = parseInteger(v.get().trim());
        } catch (NumberFormatException e) {
            throw error(key, "expected a whole number, got " + shown(key, v.get()));
        }
        if (value < min || value > max) {
            throw error(key, value + " is out of range: expected " + range(min, max));
        }
        return value;
    }

    /** A number such as 2.0, at least {@code min}. */
    double decimal(String key, double def, double min) throws ConfigException {
        Optional<String> v = string(key);
        if (v.isEmpty() || v.get().isEmpty()) {
            return def;
        }
        double value;
        try {
            value = Double.parseDouble(v.get().trim());
        } catch (NumberFormatException e) {
            throw error(key, "expected a number such as " + def + ", got " + shown(key, v.get()));
        }
        if (!(value >= min) || Double.isInfinite(value)) {
            throw error(key, v.get().trim() + " must be at least " + min);
        }
        return value;
    }

    boolean bool(String key, boolean def) throws ConfigException {
        Optional<String> v = string(key);
        if (v.isEmpty() || v.get().isEmpty()) {
            return def;
        }
        return switch (v.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(key, "expected true or false, got " + shown(key, v.get()));
        };
    }

    /** Permission bits written in octal, as a string ("555") or a bare number (555 or 0555). */
    int octal(String key, String def) throws ConfigException {
        String text = string(key, def).trim();
        if (!text.matches("0?[0-7]{1,4}")) {
            throw error(key, "expected octal permission bits such as \"555\", got \"" + text + "\"");
        }
        int value = Integer.parseInt(text, 8);
        if (value > 0777) {
            throw error(key, "\"" + text + "\" is more than 777");
        }
        return value;
    }

    Optional<NodeReader> mapping(String key) throws ConfigException {
        NodeTuple t = take(key);
        if (t == null || isNull(t.getValueNode())) {
            return Optional.empty();
        }
        if (!(t.getValueNode() instanceof MappingNode m)) {
            throw at(t.getValueNode(), child(key), "expected a mapping of keys to values");
        }
        return Optional.of(new NodeReader(file, child(key), m, env, unknown));
    }

    List<NodeReader> mappings(String key) throws ConfigException {
        NodeTuple t = take(key);
        List<NodeReader> out = new ArrayList<>();
        if (t == null || isNull(t.getValueNode())) {
            return out;
        }
        if (!(t.getValueNode() instanceof SequenceNode seq)) {
            throw at(t.getValueNode(), child(key), "expected a list");
        }
        for (int i = 0; i < seq.getValue().size(); i++) {
            Node item = seq.getValue().get(i);
            String itemPath = child(key) + "[" + i + "]";
            if (!(item instanceof MappingNode m)) {
                throw at(item, itemPath, "expected a mapping of keys to values");
            }
            out.add(new NodeReader(file, itemPath, m, env, unknown));
        }
        return out;
    }

    /** Marks keys as read without interpreting them; returns those present and not read before, for reporting. */
    List<String> accept(Set<String> keys) {
        List<String> present = new ArrayList<>();
        for (String k : entries.keySet()) {
            if (keys.contains(k) && !read.contains(k)) {
                read.add(k);
                present.add(child(k));
            }
        }
        return present;
    }

    /** Keys read later (or only when present) that are known already: not unknown, and candidates for "did you mean". */
    void allow(Set<String> keys) {
        read.addAll(keys);
    }

    /**
     * Every key that no one read is a mistake: say so, with the closest key that was asked for
     * (every key the loader reads is asked for, present or not, so those are the known keys). A
     * warning, or an error when strict ({@link UnknownKeys}).
     */
    void rejectUnknown() throws ConfigException {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!read.contains(e.getKey())) {
                String hint = Suggest.closest(e.getKey(), read).map(s -> " (did you mean \"" + s + "\"?)").orElse("");
                read.add(e.getKey()); // said once
                unknown.found(at(e.getValue().getKeyNode(), child(e.getKey()), "unknown key" + hint).getMessage());
            }
        }
    }

    /** A warning at {@code key} (file:line: key.path: message), kept with the document's others. */
    void warn(String key, String message) {
        unknown.note(error(key, message).getMessage());
    }

    ConfigException error(String key, String message) {
        NodeTuple t = entries.get(key);
        return t == null ? new ConfigException(file + ": " + child(key) + ": " + message)
                : at(t.getValueNode(), child(key), message);
    }

    ConfigException errorHere(String message) {
        return at(node, path.isEmpty() ? "(top level)" : path, message);
    }

    ConfigException missing(String key) {
        return at(node, child(key), "required key is missing or empty");
    }

    private NodeTuple take(String key) {
        read.add(key);
        return entries.get(key);
    }

    private String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ConfigException at(Node where, String keyPath, String message) {
        return new ConfigException(file + ":" + line(where) + ": " + keyPath + ": " + message);
    }

    private static String shown(String key, String value) {
        return SECRET_KEYS.contains(key) ? "(value hidden)" : "\"" + value + "\"";
    }

    private static String range(long min, long max) {
        return max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
    }

    private static long parseInteger(String text) {
        if (text.matches("-?\\d+\\.0*")) { // JSON writers sometimes emit 10.0 for integers
            text = text.substring(0, text.indexOf('.'));
        }
        return Long.parseLong(text.replace("_", ""));
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && n.getTag().getValue().endsWith(":null")
                && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equals("null"));
    }

    private static int line(Node n) {
        return n.getStartMark() == null ? 0 : n.getStartMark().getLine() + 1;
    }
}
