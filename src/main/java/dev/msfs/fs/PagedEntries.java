package dev.msfs.fs;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A directory read a page at a time from a backend whose pages come in name order
 * ({@link dev.msfs.backend.Backend#pagesInOrder}, a listing manifest): the heap holds the page in
 * use and one continuation token per page seen, never the whole directory, so `ls` of a directory
 * of millions runs in bounded memory. An entry's offset is its position ("." and ".." are 0 and
 * 1), so seekdir and rewinddir land where they should; a page is found again from the token that
 * starts it. Names POSIX cannot show are left out; of a directory and an object of the same name,
 * next to each other, the directory is shown (the name once).
 */
final class PagedEntries implements DirEntries {
    /** Where a page starts: the token that lists it (null: the first) and the name shown just before it. */
    private record Start(String token, String nameBefore) {
    }

    private record Page(long first, Start start, List<DirEntry> entries, String next, String lastName) {
    }

    private final Namespace namespace;
    private final Inode dir;
    private final List<DirEntry> dots;
    /** The first offset of every page seen, to its start; guarded by this (readdir calls on one handle may overlap). */
    private final TreeMap<Long, Start> starts = new TreeMap<>();
    private Page cached; // guarded by this: the page last served, which the next readdir usually continues

    PagedEntries(Namespace namespace, Inode dir, List<DirEntry> dots) {
        this.namespace = namespace;
        this.dir = dir;
        this.dots = dots;
        starts.put((long) dots.size(), new Start(null, null));
    }

    @Override
    public synchronized List<DirEntry> from(long offset) throws FsException {
        if (offset < 0) {
            return List.of();
        }
        if (offset < dots.size()) {
            List<DirEntry> out = new ArrayList<>(dots.subList((int) offset, dots.size()));
            Page first = pageHolding(dots.size());
            if (first != null) { // null: an empty directory
                out.addAll(first.entries);
            }
            return out;
        }
        Page p = pageHolding(offset);
        return p == null ? List.of() : p.entries.subList((int) (offset - p.first), p.entries.size());
    }

    /** The page that holds the entry at {@code offset}, walking on from the nearest page start seen; null past the end. */
    private Page pageHolding(long offset) throws FsException {
        Map.Entry<Long, Start> at = starts.floorEntry(offset);
        long first = at.getKey();
        Start start = at.getValue();
        while (true) {
            // A page is the one cached only if it starts at the same token: an empty page starts where the next one does.
            Page p = cached != null && cached.first == first && cached.start.equals(start) ? cached : fetch(first, start);
            cached = p;
            long end = first + p.entries.size();
            if (offset < end || p.next == null) {
                return offset < end ? p : null;
            }
            start = new Start(p.next, p.lastName);
            first = end;
            starts.put(first, start);
        }
    }

    private Page fetch(long first, Start start) throws FsException {
        ListPage page;
        try {
            page = dir.volume.backend.list(dir.dirPath(), start.token);
        } catch (BackendException e) {
            throw Namespace.backendFailure(dir.volume, "list '" + dir.dirPath() + "'", e);
        }
        if (page.next() != null && page.next().equals(start.token)) {
            throw Namespace.backendFailure(dir.volume, "list '" + dir.dirPath() + "'",
                    new BackendException(BackendException.Kind.IO, "listing did not advance"));
        }
        List<ObjectInfo> shown = new ArrayList<>(page.entries().size());
        String last = start.nameBefore;
        for (ObjectInfo e : page.entries()) {
            if (!Paths.isValidName(e.name())) {
                continue;
            }
            if (e.name().equals(last)) {
                if (e.directory() && !shown.isEmpty()) {
                    shown.set(shown.size() - 1, e); // the directory wins; across a page's start the first shown stays
                }
                continue;
            }
            shown.add(e);
            last = e.name();
        }
        List<DirEntry> entries = new ArrayList<>(shown.size());
        for (ObjectInfo e : shown) {
            entries.add(new DirEntry(e.name(), e.directory(), first + entries.size() + 1, e, namespace.inoOf(dir, e.name())));
        }
        return new Page(first, start, entries, page.next(), last);
    }
}
