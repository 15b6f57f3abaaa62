package dev.msfs.fs;

/**
 * A lookup's answer to the kernel, valid for {@code ttlSeconds}: the attributes of the name, or a
 * negative entry (the name does not exist, and the kernel may remember that).
 *
 * @param attr    null for a negative entry
 * @param counted the kernel now holds one more lookup of {@code attr.ino()}; if the reply never
 *                reaches it, the caller must {@link FileSystem#forget} it again
 */
public record Entry(Attr attr, double ttlSeconds, boolean counted) {
    static Entry negative(double ttlSeconds) {
        return new Entry(null, ttlSeconds, false);
    }

    public boolean negative() {
        return attr == null;
    }
}
