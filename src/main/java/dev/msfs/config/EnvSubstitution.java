package dev.msfs.config;

import java.util.HashMap;
import java.util.Map;

/**
 * Shell-style variable substitution in config values: {@code $VAR}, {@code ${VAR}},
 * {@code ${VAR:-default}} (unset or empty), {@code ${VAR-default}} (unset), {@code ${VAR:=default}}
 * and {@code ${VAR=default}} (as the former, and later references in the same file see the
 * assigned value), {@code $$} for a literal dollar. Unset variables without a default become "".
 * Defaults may themselves contain substitutions.
 */
public final class EnvSubstitution {
    private final Map<String, String> env;
    private final Map<String, String> assigned = new HashMap<>();

    public EnvSubstitution(Map<String, String> env) {
        this.env = env;
    }

    public static EnvSubstitution ofSystem() {
        return new EnvSubstitution(System.getenv());
    }

    /** @throws IllegalArgumentException with a user-facing reason when the text is malformed */
    public String apply(String text) {
        if (text.indexOf('$') < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 == text.length()) {
                out.append(c);
                i++;
                continue;
            }
            char next = text.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '{') {
                int close = matchingBrace(text, i + 2);
                out.append(braced(text.substring(i + 2, close)));
                i = close + 1;
            } else if (isNameStart(next)) {
                int end = i + 2;
                while (end < text.length() && isNamePart(text.charAt(end))) {
                    end++;
                }
                out.append(lookup(text.substring(i + 1, end), ""));
                i = end;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private String braced(String inner) {
        int n = 0;
        while (n < inner.length() && isNamePart(inner.charAt(n))) {
            n++;
        }
        String name = inner.substring(0, n);
        if (name.isEmpty() || !isNameStart(name.charAt(0))) {
            throw new IllegalArgumentException("bad variable reference ${" + inner + "}");
        }
        String rest = inner.substring(n);
        if (rest.isEmpty()) {
            return lookup(name, "");
        }
        boolean colon = rest.startsWith(":");
        String op = colon ? rest.substring(1) : rest;
        if (op.isEmpty() || (op.charAt(0) != '-' && op.charAt(0) != '=')) {
            throw new IllegalArgumentException("bad variable reference ${" + inner
                    + "}: expected ${VAR}, ${VAR:-default} or ${VAR:=default}");
        }
        String value = current(name);
        boolean useDefault = value == null || (colon && value.isEmpty());
        if (!useDefault) {
            return value;
        }
        String def = apply(op.substring(1));
        if (op.charAt(0) == '=') {
            assigned.put(name, def);
        }
        return def;
    }

    private String lookup(String name, String fallback) {
        String v = current(name);
        return v == null ? fallback : v;
    }

    private String current(String name) {
        String v = assigned.get(name);
        return v != null ? v : env.get(name);
    }

    private static int matchingBrace(String text, int from) {
        int depth = 1;
        for (int j = from; j < text.length(); j++) {
            char c = text.charAt(j);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return j;
            }
        }
        throw new IllegalArgumentException("unterminated ${ in \"" + text + "\"");
    }

    private static boolean isNameStart(char c) {
        return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    private static boolean isNamePart(char c) {
        return isNameStart(c) || (c >= '0' && c <= '9');
    }
}
