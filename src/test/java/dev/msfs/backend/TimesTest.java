package dev.msfs.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TimesTest {
    /** S3's Last-Modified in either form, AIStore's access times, and anything else as 0 (never a failed lookup). */
    @Test
    void storesTimesParseInTheirFormsAndOtherwiseGiveZero() {
        assertEquals(1767323045000L, Times.epochMillis("Fri, 02 Jan 2026 03:04:05 GMT"));
        assertEquals(1767323045000L, Times.epochMillis("2026-01-02T03:04:05Z"));
        assertEquals(1767323045123L, Times.epochMillis("2026-01-02T03:04:05.123Z"));
        assertEquals(1767323045000L, Times.epochMillis("1767323045000000000"));
        assertEquals(1767323040000L, Times.epochMillis("02 Jan 26 03:04 UTC"));
        assertEquals(0, Times.epochMillis("yesterday"));
        assertEquals(0, Times.epochMillis(""));
    }
}
