package dev.msfs.fs;

import java.util.List;

/** An open directory's entries by readdir offset: offsets stay stable for the handle's life. */
interface DirEntries {
    /** The entries from {@code offset} on, as many as are at hand (an empty list: the end). */
    List<DirEntry> from(long offset) throws FsException;

    /** Every entry, listed once at opendir. */
    record Snapshot(List<DirEntry> all) implements DirEntries {
        @Override
        public List<DirEntry> from(long offset) {
            return offset >= all.size() || offset < 0 ? List.of() : all.subList((int) offset, all.size());
        }
    }
}
