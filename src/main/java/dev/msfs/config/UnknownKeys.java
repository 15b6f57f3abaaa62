package dev.msfs.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What a config's unknown keys become. MSFS ignores them (its own dev config carries a misspelt
 * key), so msfs warns, naming file:line:key with the closest known key, and never ignores one
 * silently; strict ({@code check-config --strict}, or {@code strict: true} in the file) refuses
 * them. One per document: every reader of it shares it, and it also keeps the document's other
 * warnings ({@link #note}), which strict does not refuse: they are about this machine, not the config.
 */
final class UnknownKeys {
    private boolean strict;
    private final List<String> warnings = new ArrayList<>();

    UnknownKeys(boolean strict) {
        this.strict = strict;
    }

    void makeStrict() {
        strict = true;
    }

    /** Refuses the key when strict; else keeps a warning. */
    void found(String problem) throws ConfigException {
        if (strict) {
            throw new ConfigException(problem);
        }
        warnings.add(problem + " (ignored, as MSFS ignores it; check-config --strict or strict: true refuses it)");
    }

    /** A warning that strict does not turn into an error. */
    void note(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }
}
