package dev.msfs.backend;

import java.util.List;

/** A page of a directory listing; {@code next} is null on the last page. */
public record ListPage(List<ObjectInfo> entries, String next) {
}
