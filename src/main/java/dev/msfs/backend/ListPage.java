package dev.msfs.backend;

import java.util.List;

/**
 * A page of a directory listing; {@code next} is null on the last page.
 *
 * @param keysBelow some key lies below the listed directory, a folder marker ("d/", which is the
 *                  directory itself, not an entry) included: the directory exists
 */
public record ListPage(List<ObjectInfo> entries, String next, boolean keysBelow) {
    public ListPage(List<ObjectInfo> entries, String next) {
        this(entries, next, !entries.isEmpty() || next != null);
    }
}
