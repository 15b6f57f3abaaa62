package dev.msfs.backend;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Times as stores send them, in milliseconds since the epoch. */
public final class Times {
    private static final DateTimeFormatter[] FORMATS = {
        DateTimeFormatter.RFC_1123_DATE_TIME,                        // HTTP dates: S3's Last-Modified
        DateTimeFormatter.ISO_DATE_TIME,                             // ISO 8601, from S3-compatible stores
        DateTimeFormatter.ofPattern("dd MMM yy HH:mm zzz", Locale.ROOT) // RFC 822: AIStore's default listing time format
    };

    private Times() {
    }

    /**
     * A time in any of those forms, or a bare number of seconds, milliseconds or nanoseconds
     * (AIStore's Ais-Atime); 0 when nothing parses (a file then shows the mount time, and a
     * lookup never fails on a date).
     */
    public static long epochMillis(String text) {
        String t = text.strip();
        if (t.matches("\\d{1,19}")) {
            long n = Long.parseLong(t);
            return n > 100_000_000_000_000L ? n / 1_000_000 : n > 100_000_000_000L ? n : n * 1000;
        }
        for (DateTimeFormatter f : FORMATS) {
            try {
                return ZonedDateTime.parse(t, f).toInstant().toEpochMilli();
            } catch (DateTimeParseException notThisOne) {
                // the next form
            }
        }
        return 0;
    }
}
