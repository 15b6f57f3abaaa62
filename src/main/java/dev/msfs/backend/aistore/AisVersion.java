package dev.msfs.backend.aistore;

import java.net.http.HttpHeaders;

/**
 * How msfs names an AIStore object's version, and when two names may be compared. A checksum is
 * not a stable version on AIStore: a remote object not cached yet is listed with its backend's
 * ETag (an MD5), its HEAD has no checksum, and its first GET stores and returns the bucket's own
 * checksum type (xxhash by default); with {@code enable_read_range} a ranged GET returns the
 * range's checksum. So a name carries its kind ({@code v:} an {@code Ais-Version}, a checksum
 * type, {@code ?:} a listed checksum of unknown type, {@code etag:}), and only like is compared:
 * versions always, checksums only of the same type and only on a whole-object GET.
 */
final class AisVersion {
    private AisVersion() {
    }

    /** From a listing entry: its version (a versioned bucket), else its checksum, of a type the listing does not say. */
    static String listed(String version, String checksum) {
        return !version.isEmpty() ? "v:" + version : checksum.isEmpty() ? "" : "?:" + checksum;
    }

    /** From a HEAD or GET's headers. */
    static String of(HttpHeaders h) {
        String version = h.firstValue("ais-version").orElse("");
        String type = h.firstValue("ais-checksum-type").orElse("");
        String value = h.firstValue("ais-checksum-value").orElse("");
        String etag = h.firstValue("etag").orElse("").replace("\"", "");
        if (!version.isEmpty()) {
            return "v:" + version;
        }
        if (!type.isEmpty() && !value.isEmpty() && !type.equals("none")) {
            return type + ":" + value;
        }
        return etag.isEmpty() ? "" : "etag:" + etag;
    }

    /**
     * True if a GET's headers show another version than the one opened: an {@code Ais-Version}
     * against a version, or (on a whole-object GET) a checksum of the same type against a checksum.
     */
    static boolean changed(String opened, HttpHeaders h, boolean wholeObject) {
        if (opened == null || opened.isEmpty()) {
            return false;
        }
        String version = h.firstValue("ais-version").orElse("");
        if (opened.startsWith("v:")) {
            return !version.isEmpty() && !opened.equals("v:" + version);
        }
        String type = h.firstValue("ais-checksum-type").orElse("");
        String value = h.firstValue("ais-checksum-value").orElse("");
        return wholeObject && !type.isEmpty() && !value.isEmpty() && opened.startsWith(type + ":")
                && !opened.equals(type + ":" + value);
    }
}
