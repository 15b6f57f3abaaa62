package dev.msfs.manifest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.msfs.backend.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * MSFS's listing manifest, as its manifest_gen.go writes it: one TSV per directory,
 * {@code <dir path>.tsv} ({@code _root.tsv} for the top), each line {@code kind, basename, size,
 * etag, mtime} (kind {@code d} or {@code f}; etag {@code -} and size 0 for a directory; mtime
 * RFC 3339 with nanoseconds), {@code #} lines comments; and {@code manifest_index.json}, written
 * last, so a manifest without it is not whole.
 */
public final class ManifestFormat {
    public static final String INDEX = "manifest_index.json";
    public static final String ROOT = "_root.tsv";
    public static final int VERSION = 2;

    private ManifestFormat() {
    }

    /** What manifest_index.json says. */
    public record Index(int version, String format, String bucket, String prefix, long totalObjects,
                        long totalDirectories, String createdAt) {
    }

    /** A line that is not an entry: file:line and why. */
    public static final class BadLine extends Exception {
        public BadLine(String message) {
            super(message);
        }
    }

    /**
     * The TSV of directory {@code dir} ("" for the top; a trailing '/' or none), kept inside
     * {@code manifest} whatever the key holds ("..", a leading '/'), as MSFS keeps it.
     */
    public static Path partOf(Path manifest, String dir) {
        String safe = Path.of("/", dir).normalize().toString().substring(1);
        return safe.isEmpty() ? manifest.resolve(ROOT) : manifest.resolve(safe + ".tsv");
    }

    /** A name a line can hold: no tab, newline or carriage return, which would split or end it. */
    public static boolean representable(String name) {
        return name.indexOf('\t') < 0 && name.indexOf('\n') < 0 && name.indexOf('\r') < 0;
    }

    public static String line(ObjectInfo e, String dirTime) {
        return e.directory() ? "d\t" + e.name() + "\t0\t-\t" + dirTime + "\n"
                : "f\t" + e.name() + "\t" + e.size() + "\t" + e.etag() + "\t"
                        + DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(e.mtimeMillis())) + "\n";
    }

    /**
     * One line as an entry, or null for a comment or an empty line.
     *
     * @param where file:line, for the message
     */
    public static ObjectInfo parse(String line, String where) throws BadLine {
        if (line.isEmpty() || line.startsWith("#")) {
            return null;
        }
        String[] f = line.split("\t", -1);
        if (f.length != 5) {
            throw new BadLine(where + ": expected 5 tab-separated fields (kind, name, size, etag, mtime), found " + f.length);
        }
        boolean dir = switch (f[0]) {
            case "d" -> true;
            case "f" -> false;
            default -> throw new BadLine(where + ": kind \"" + f[0] + "\" is neither d nor f");
        };
        if (f[1].isEmpty() || f[1].indexOf('/') >= 0) {
            throw new BadLine(where + ": \"" + f[1] + "\" is not a base name");
        }
        long size;
        try {
            size = Long.parseLong(f[2]);
        } catch (NumberFormatException e) {
            size = -1;
        }
        if (size < 0) {
            throw new BadLine(where + ": size \"" + f[2] + "\" is not a whole number");
        }
        long mtime = utcMillis(f[4]);
        if (mtime == Long.MIN_VALUE) {
            try {
                mtime = OffsetDateTime.parse(f[4], DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new BadLine(where + ": mtime \"" + f[4] + "\" is not an RFC 3339 time");
            }
        }
        return dir ? ObjectInfo.dir(f[1], mtime) : new ObjectInfo(f[1], false, size, mtime, f[3].equals("-") ? "" : f[3]);
    }

    /**
     * The form both writers use, "2025-01-02T03:04:05[.fraction of 1 to 9 digits]Z", read without the general
     * parser (a 10 M-entry directory is checked whole at its first use); Long.MIN_VALUE for any
     * other form, which the general parser then reads.
     */
    static long utcMillis(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T' || t.charAt(13) != ':'
                || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z' || (n > 20 && (t.charAt(19) != '.' || n == 21))) {
            return Long.MIN_VALUE;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 7);
        int day = digits(t, 8, 10);
        int hour = digits(t, 11, 13);
        int minute = digits(t, 14, 16);
        int second = digits(t, 17, 19);
        int fraction = n > 20 ? digits(t, 20, Math.min(n - 1, 23)) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 || fraction < 0
                || (n > 24 && digits(t, 23, n - 1) < 0) || day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return Long.MIN_VALUE;
        }
        int millis = n - 1 - 20 >= 3 ? fraction : fraction * (n - 21 == 1 ? 100 : 10);
        return ((java.time.LocalDate.of(year, month, day).toEpochDay() * 24 + hour) * 60 + minute) * 60_000L + second * 1000L + millis;
    }

    /** The decimal number in t[from, to), or -1 if a character there is not a digit. */
    private static int digits(String t, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    public static void writeIndex(Path file, Index index) throws IOException {
        try (OutputStream out = Files.newOutputStream(file);
             JsonGenerator g = new JsonFactory().createGenerator(out).useDefaultPrettyPrinter()) {
            g.writeStartObject();
            g.writeNumberField("version", index.version());
            g.writeStringField("format", index.format());
            g.writeStringField("bucket", index.bucket());
            g.writeStringField("prefix", index.prefix());
            g.writeNumberField("total_objects", index.totalObjects());
            g.writeNumberField("total_directories", index.totalDirectories());
            g.writeStringField("created_at", index.createdAt());
            g.writeEndObject();
        }
    }

    /** The index, or a message saying what is wrong with it (unknown keys are allowed, as Go's decoder allows them). */
    public static Index readIndex(Path file) throws BadLine, IOException {
        int version = -1;
        String format = null;
        String bucket = null;
        String prefix = null;
        long objects = 0;
        long dirs = 0;
        String created = "";
        try (InputStream in = Files.newInputStream(file); JsonParser p = new JsonFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new BadLine(file + ": not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken t = p.nextToken();
                switch (key) {
                    case "version" -> version = t == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "format" -> format = p.getValueAsString();
                    case "bucket" -> bucket = p.getValueAsString();
                    case "prefix" -> prefix = p.getValueAsString();
                    case "total_objects" -> objects = p.getValueAsLong();
                    case "total_directories" -> dirs = p.getValueAsLong();
                    case "created_at" -> created = p.getValueAsString("");
                    default -> p.skipChildren();
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new BadLine(file + ":" + e.getLocation().getLineNr() + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (version != VERSION) {
            throw new BadLine(file + ": version " + version + " is not " + VERSION + ", the version msfs and MSFS write");
        }
        if (!"tsv".equals(format)) {
            throw new BadLine(file + ": format \"" + format + "\" is not tsv");
        }
        if (bucket == null || prefix == null) {
            throw new BadLine(file + ": bucket and prefix are required");
        }
        return new Index(version, format, bucket, prefix, objects, dirs, created);
    }
}
