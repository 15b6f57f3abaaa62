package dev.msfs.fs;

/**
 * An opened file as the kernel should treat it.
 *
 * @param directIo  every read reaches msfs (no kernel page cache, no mmap)
 * @param keepCache the kernel may keep pages cached from earlier opens (kernel_cache, and only
 *                  while they can hold this version's bytes alone: {@link KernelPages})
 */
public record Opened(long fh, boolean directIo, boolean keepCache) {
}
