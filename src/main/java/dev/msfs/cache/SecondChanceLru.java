package dev.msfs.cache;

/**
 * The servable lines of a {@link DataCache} in least-recently-used order, as links between line
 * numbers, with second-chance marks. Everything is guarded by the cache's lock except
 * {@link #markReferenced}, which readers call without it.
 */
final class SecondChanceLru {
    private final int[] prev;
    private final int[] next;
    /** Set by readers without the lock (a benign race: only a hint), cleared by the evictor under it. */
    private final byte[] referenced;
    private int head = -1;
    private int tail = -1;

    SecondChanceLru(int lines) {
        prev = new int[lines];
        next = new int[lines];
        referenced = new byte[lines];
    }

    /** A line just became servable: the most recently used, unmarked. */
    void add(int line) {
        referenced[line] = 0;
        prev[line] = tail;
        next[line] = -1;
        if (tail >= 0) {
            next[tail] = line;
        } else {
            head = line;
        }
        tail = line;
    }

    /**
     * Removes and returns the least recently used line not marked referenced; marked ones lose
     * their mark and move to the tail (their second chance). -1 if there is no line.
     */
    int takeVictim() {
        int line = head;
        for (int looked = 0; line >= 0 && referenced[line] != 0 && looked < prev.length; looked++) {
            unlink(line);
            add(line);
            line = head;
        }
        if (line >= 0) {
            unlink(line);
        }
        return line;
    }

    /** A reader used the line. Stores only when the mark is clear, so warm readers share CPU cache lines read-only. */
    void markReferenced(int line) {
        if (referenced[line] == 0) {
            referenced[line] = 1;
        }
    }

    private void unlink(int line) {
        if (prev[line] >= 0) {
            next[prev[line]] = next[line];
        } else {
            head = next[line];
        }
        if (next[line] >= 0) {
            prev[next[line]] = prev[line];
        } else {
            tail = prev[line];
        }
        prev[line] = -1;
        next[line] = -1;
    }
}
