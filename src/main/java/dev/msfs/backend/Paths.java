package dev.msfs.backend;

/** Small helpers for the '/'-separated relative paths backends speak. */
public final class Paths {
    private Paths() {
    }

    /** "a/b/c" → "c"; "a" → "a". */
    public static String baseName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The directory form of a path: "" stays "", "a/b" becomes "a/b/". */
    public static String asDir(String path) {
        return path.isEmpty() || path.endsWith("/") ? path : path + "/";
    }

    /** Whether a listed name can be a POSIX directory entry. */
    public static boolean isValidName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\0') < 0 && name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255;
    }
}
