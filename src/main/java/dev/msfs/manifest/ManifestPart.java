package dev.msfs.manifest;

import dev.msfs.backend.ObjectInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One directory's TSV, read in a stream from a byte offset: no part is ever held in memory
 * whole, whatever the directory's size. Pages continue at the byte after their last line.
 */
final class ManifestPart {
    /** Entries from one offset on, and the offset of the next page, or -1 at the end. */
    record Page(List<ObjectInfo> entries, long next) {
    }

    private ManifestPart() {
    }

    /** Up to {@code max} entries from byte {@code offset}. */
    static Page page(Path file, long offset, int max) throws IOException, ManifestFormat.BadLine {
        List<ObjectInfo> entries = new ArrayList<>();
        try (Lines lines = new Lines(file, offset)) {
            String line;
            while (entries.size() < max && (line = lines.next()) != null) {
                ObjectInfo e = ManifestFormat.parse(line, lines.where());
                if (e != null) {
                    entries.add(e);
                }
            }
            return new Page(entries, lines.atEnd() ? -1 : lines.offset());
        }
    }

    /**
     * Every line parses, and the last ends in a line break (else the file was cut short). Returns
     * whether the names rise strictly in byte order with no comment or empty line: then a name is
     * found by binary search ({@link #search}). A store lists keys in that order, so a directory
     * of objects only, the flat directory of millions, is written so.
     */
    static boolean check(Path file) throws IOException, ManifestFormat.BadLine {
        boolean sorted = true;
        byte[] previous = new byte[0];
        try (Lines lines = new Lines(file, 0)) {
            while (lines.advance()) {
                ObjectInfo e = ManifestFormat.parse(lines.current(), lines.where());
                if (e == null) {
                    sorted = false;
                } else if (sorted) {
                    byte[] name = nameOf(lines.bytes()); // the bytes search compares, not a re-encoding of them
                    sorted = java.util.Arrays.compareUnsigned(previous, name) < 0;
                    previous = name;
                }
            }
        }
        return sorted;
    }

    /**
     * The entry named {@code name} in a file {@link #check} found sorted: a binary search over byte
     * offsets, each probe reading the first whole line after its offset. Reads a few KiB whatever
     * the directory's size.
     */
    static Optional<ObjectInfo> search(Path file, String name) throws IOException, ManifestFormat.BadLine {
        byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long lo = 0; // invariant: the wanted line, if any, starts at or after lo, and before hi
            long hi = ch.size();
            while (lo < hi) {
                long mid = lo + (hi - lo) / 2;
                long start = mid == 0 ? 0 : lineAfter(ch, mid - 1);
                if (start >= hi) {
                    hi = mid; // no line starts in [mid, hi): look in the lower half
                    continue;
                }
                byte[] line = lineAt(ch, start);
                int cmp = java.util.Arrays.compareUnsigned(nameOf(line), wanted);
                if (cmp == 0) {
                    return Optional.of(ManifestFormat.parse(new String(line, StandardCharsets.UTF_8), file + " @" + start));
                }
                if (cmp < 0) {
                    lo = start + line.length + 1;
                } else {
                    hi = start;
                }
            }
        }
        return Optional.empty();
    }

    private static byte[] nameOf(byte[] line) {
        int end = 2;
        while (end < line.length && line[end] != '\t') {
            end++;
        }
        return java.util.Arrays.copyOfRange(line, Math.min(2, line.length), end);
    }

    /** The offset just past the first line break at or after {@code from} (the size when there is none). */
    private static long lineAfter(FileChannel ch, long from) throws IOException {
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4096);
        long at = from;
        while (true) {
            buf.clear();
            int n = ch.read(buf, at);
            if (n <= 0) {
                return ch.size();
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += n;
        }
    }

    private static byte[] lineAt(FileChannel ch, long start) throws IOException {
        long end = lineAfter(ch, start) - 1; // check() found every line ended by a line break
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) (end - start));
        while (buf.hasRemaining() && ch.read(buf, start + buf.position()) > 0) {
            // read until the line is whole
        }
        return buf.array();
    }

    /**
     * The entry named {@code name}: a directory wins over an object of the same name, as in live
     * listings. Only lines whose name field matches byte for byte are decoded.
     */
    static Optional<ObjectInfo> find(Path file, String name) throws IOException, ManifestFormat.BadLine {
        Optional<ObjectInfo> found = Optional.empty();
        byte[] field = ("\t" + name + "\t").getBytes(StandardCharsets.UTF_8);
        try (Lines lines = new Lines(file, 0)) {
            while (lines.advance()) {
                if (lines.nameIs(field)) {
                    ObjectInfo e = ManifestFormat.parse(lines.current(), lines.where());
                    if (e != null && (found.isEmpty() || e.directory())) { // null: a comment line that looks like one
                        found = Optional.of(e);
                    }
                }
            }
        }
        return found;
    }

    /** A growable line whose bytes can be compared in place. */
    private static final class LineBuffer extends ByteArrayOutputStream {
        LineBuffer() {
            super(256);
        }

        byte[] buffer() {
            return buf;
        }
    }

    /** Lines of a file from a byte offset, each with its byte position and line number (counted from the offset). */
    private static final class Lines implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        /** Read ahead in blocks and scanned for line breaks in place (a 10 M-line part is checked whole at first use). */
        private final byte[] block = new byte[256 * 1024];
        private int pos;
        private int lim;
        private final LineBuffer line = new LineBuffer();
        private long offset;
        private long number;
        private boolean ended;

        Lines(Path file, long offset) throws IOException {
            this.file = file;
            this.ch = FileChannel.open(file, StandardOpenOption.READ);
            try {
                ch.position(offset);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            this.offset = offset;
        }

        /** More bytes into the block; false at the end of the file. */
        private boolean fill() throws IOException {
            int n = ch.read(java.nio.ByteBuffer.wrap(block));
            pos = 0;
            lim = Math.max(n, 0);
            return n > 0;
        }

        /** The next line without its line break, or null at the end; a last line without one is refused. */
        String next() throws IOException, ManifestFormat.BadLine {
            return advance() ? current() : null;
        }

        /** Moves to the next line, undecoded; false at the end. */
        boolean advance() throws IOException, ManifestFormat.BadLine {
            line.reset();
            while (pos < lim || fill()) {
                int end = pos;
                while (end < lim && block[end] != '\n') {
                    end++;
                }
                line.write(block, pos, end - pos);
                offset += end - pos;
                if (end < lim) { // a line break
                    offset++;
                    pos = end + 1;
                    number++;
                    return true;
                }
                pos = lim;
            }
            ended = true;
            if (line.size() > 0) {
                number++;
                throw new ManifestFormat.BadLine(where() + ": the last line has no line break: the file was cut short");
            }
            return false;
        }

        String current() {
            return line.toString(StandardCharsets.UTF_8);
        }

        byte[] bytes() {
            return line.toByteArray();
        }

        /** Whether the current line's second field is {@code field} ("\tname\t", in UTF-8), after a one-byte kind. */
        boolean nameIs(byte[] field) {
            return line.size() > field.length + 1 && java.util.Arrays.equals(line.buffer(), 1, 1 + field.length, field, 0, field.length);
        }

        boolean atEnd() throws IOException {
            if (ended || (pos >= lim && !fill())) {
                ended = true;
                return true;
            }
            return false;
        }

        long offset() {
            return offset;
        }

        /** file:line of the line just read (line numbers count from the page's first line, 1 for a whole file). */
        String where() {
            return file + ":" + number;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
