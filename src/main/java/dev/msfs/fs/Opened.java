package dev.msfs.fs;

/**
 * An opened file as the kernel should treat it.
 *
 * @param directIo  every read reaches msfs (no kernel page cache, no mmap)
 * @param keepCache the kernel may keep pages cached from earlier opens; msfs never asks for it
 *                  today, so every open starts from the version msfs checked
 */
public record Opened(long fh, boolean directIo, boolean keepCache) {
}
