package dev.msfs.cache;

/**
 * The servable lines of a {@link DataCache} in least-recently-used order, as links between line
 * numbers, with the second chance of the marks readers set in the {@link LineStore}. Guarded by
 * the cache's lock.
 */
final class SecondChanceLru {
    private final LineStore lines;
    private final int[] prev;
    private final int[] next;
    private int head = -1;
    private int tail = -1;

    SecondChanceLru(LineStore lines) {
        this.lines = lines;
        prev = new int[lines.lineCount];
        next = new int[lines.lineCount];
    }

    /** A line just became servable: the most recently used. */
    void add(int line) {
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
        for (int looked = 0; line >= 0 && lines.marked(line) && looked < prev.length; looked++) {
            lines.clearMark(line);
            unlink(line);
            add(line);
            line = head;
        }
        if (line >= 0) {
            unlink(line);
        }
        return line;
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
