package dev.msfs.config;

import java.util.Locale;
import java.util.Optional;

/** The {@code backend_type} values of the MSFS schema; the type section shares the name. */
public enum BackendType {
    S3("S3"), AISTORE("AIStore"), GCS("GCS"), RAM("RAM"), PSEUDO("PSEUDO"), LOCAL("LOCAL");

    private final String sectionName;

    BackendType(String sectionName) {
        this.sectionName = sectionName;
    }

    /** The key of this type's settings section, spelled as in MSFS configs. */
    public String sectionName() {
        return sectionName;
    }

    static Optional<BackendType> parse(String text) {
        for (BackendType t : values()) {
            if (t.sectionName.toLowerCase(Locale.ROOT).equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
