package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {
    private final EnvSubstitution sub = new EnvSubstitution(Map.of("HOME", "/root", "EMPTY", "", "A", "x"));

    @Test
    void plainAndBracedReferences() {
        assertEquals("/root/.cfg", sub.apply("$HOME/.cfg"));
        assertEquals("/root-x", sub.apply("${HOME}-${A}"));
        assertEquals("", sub.apply("$UNSET"));
        assertEquals("cost $5", sub.apply("cost $$5"));
        assertEquals("no vars", sub.apply("no vars"));
        assertEquals("trailing $", sub.apply("trailing $"));
    }

    @Test
    void defaultsDistinguishUnsetFromEmpty() {
        assertEquals("d", sub.apply("${UNSET:-d}"));
        assertEquals("d", sub.apply("${EMPTY:-d}"));
        assertEquals("", sub.apply("${EMPTY-d}"));
        assertEquals("d", sub.apply("${UNSET-d}"));
        assertEquals("x", sub.apply("${A:-d}"));
    }

    @Test
    void assignmentIsSeenByLaterReferences() {
        assertEquals("10 10", sub.apply("${N:=10} $N"));
        assertEquals("10", sub.apply("${N}"));
    }

    @Test
    void defaultsMayNest() {
        assertEquals("/root/.aws/config", sub.apply("${AWS_CONFIG_FILE:-${HOME}/.aws/config}"));
    }

    @Test
    void malformedReferencesAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> sub.apply("${UNCLOSED"));
        assertThrows(IllegalArgumentException.class, () -> sub.apply("${A:?x}"));
        assertThrows(IllegalArgumentException.class, () -> sub.apply("${1A}"));
    }
}
