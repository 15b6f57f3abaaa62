package dev.msfs.manifest;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * This process's locks on manifest folders' markers: shared while mounts list from a manifest,
 * exclusive while a generation writes one. Other processes see them as file locks. Inside this
 * process they are counted here, one channel per marker, because file locks belong to the
 * process: closing any channel of the marker would drop every lock on it, so a second backend on
 * the same manifest (a reload's) or a generation refused here must never open one.
 */
final class ManifestHolds {
    private enum Mode { SHARED, EXCLUSIVE }

    /** A marker's one channel (its lock lives as long as it is open), how it is locked, and by how many. */
    private record Held(FileChannel channel, Mode mode, int users) {
    }

    /** By the marker's absolute path; guarded by itself. */
    private static final Map<Path, Held> HELD = new HashMap<>();

    private ManifestHolds() {
    }

    /**
     * One more mount listing from {@code folder}'s manifest. False when it cannot be held: a
     * generation writes it (here, or in another process), or the marker cannot be opened (a
     * folder this process cannot write, which nothing here can rewrite either: {@code unwritable}).
     */
    static Outcome share(Path folder) {
        Path marker = marker(folder);
        synchronized (HELD) {
            Held h = HELD.get(marker);
            if (h != null) {
                if (h.mode == Mode.EXCLUSIVE) {
                    return Outcome.BEING_WRITTEN;
                }
                HELD.put(marker, new Held(h.channel, h.mode, h.users + 1));
                return Outcome.HELD;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            } catch (IOException e) {
                return Outcome.UNWRITABLE;
            }
            if (tryLock(ch, true) == null) {
                closeQuietly(ch);
                return Outcome.BEING_WRITTEN;
            }
            HELD.put(marker, new Held(ch, Mode.SHARED, 1));
            return Outcome.HELD;
        }
    }

    enum Outcome { HELD, BEING_WRITTEN, UNWRITABLE }

    /**
     * The marker of {@code folder}, locked exclusively for a generation; null when a mount of this
     * process lists from it or a generation (here or elsewhere) writes it.
     */
    static FileChannel exclusive(Path folder) throws IOException {
        Path marker = marker(folder);
        synchronized (HELD) {
            if (HELD.containsKey(marker)) {
                return null;
            }
            FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (tryLock(ch, false) == null) {
                closeQuietly(ch);
                return null;
            }
            HELD.put(marker, new Held(ch, Mode.EXCLUSIVE, 1));
            return ch;
        }
    }

    /** One user fewer of {@code folder}'s marker; the last closes it, which releases the lock. */
    static void release(Path folder) {
        Path marker = marker(folder);
        synchronized (HELD) {
            Held h = HELD.get(marker);
            if (h == null) {
                return;
            }
            if (h.users > 1) {
                HELD.put(marker, new Held(h.channel, h.mode, h.users - 1));
                return;
            }
            HELD.remove(marker);
            closeQuietly(h.channel);
        }
    }

    private static FileLock tryLock(FileChannel ch, boolean shared) {
        try {
            return ch.tryLock(0, Long.MAX_VALUE, shared);
        } catch (IOException e) {
            return null;
        }
    }

    private static Path marker(Path folder) {
        return folder.toAbsolutePath().normalize().resolve(ManifestGenerator.MARKER);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // the lock goes with the channel either way
        }
    }
}
