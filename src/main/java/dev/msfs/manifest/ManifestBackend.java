package dev.msfs.manifest;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendException;
import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.ReadsThrough;
import dev.msfs.backend.SourceMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * A backend whose listings and lookups come from its manifest (MSFS's {@code manifest_path}):
 * no LIST or HEAD reaches the store, only reads, pinned to the ETag the manifest names, so an
 * object changed since gives EIO, never other bytes. There is no ingest: each directory's TSV is
 * read when the directory is, in a stream. A directory's TSV is checked whole before any of it is
 * served, so a bad line fails that directory (EIO, with file:line in the log), never half of it.
 * Without a manifest yet, one is generated in the background while the store answers.
 */
public final class ManifestBackend extends ReadsThrough {
    private static final Logger LOG = Logger.getLogger(ManifestBackend.class.getName());
    /** Entries per listing page, as a store's LIST page. */
    static final int PAGE = 1000;
    /** Continuation tokens of manifest pages; a store's are passed back to the store, whichever answers new listings now. */
    private static final String TOKEN = "manifest:";

    private final Path manifest;
    private final String name;
    /** False until a whole manifest is there (written by this mount's generation, or before it). */
    private volatile boolean ready;
    /** Whether this backend holds the manifest's marker (shared, through {@link ManifestHolds}); guarded by this. */
    private boolean holding;
    /** Set by close; guarded by this, so that no hold is taken after it. */
    private boolean closed;
    /** This mount's generation while it runs; stopped when the backend closes. */
    private volatile ManifestGenerator generating;
    /**
     * Directory TSVs read whole once and found sound (a manifest does not change under a mount),
     * each with whether its names are sorted, so that lookups in it can binary search.
     */
    private final java.util.Map<Path, Boolean> checked = new java.util.concurrent.ConcurrentHashMap<>();

    private ManifestBackend(Backend store, Path manifest, String name) {
        super(store);
        this.manifest = manifest;
        this.name = name;
    }

    /**
     * The backend {@code name} served from its manifest ({@code settings.path()}): refused (with
     * the reason) when the manifest there is not this backend's (bucket, prefix) or not whole;
     * generated in the background, as the settings say, when there is none.
     */
    public static ManifestBackend open(Backend store, dev.msfs.config.ManifestSettings settings, String name, String bucket,
                                       String prefix) throws BackendException {
        Path manifest = settings.path();
        ManifestBackend b = new ManifestBackend(store, manifest, name);
        if (Files.exists(manifest.resolve(ManifestFormat.INDEX))) {
            if (!b.hold()) {
                throw failure("generate-manifest is writing the manifest in " + manifest + " now; mount it once that ends");
            }
            try {
                b.check(bucket, prefix);
            } catch (BackendException e) {
                b.unhold();
                throw e;
            }
            b.ready = true;
            LOG.info(() -> "backend " + name + ": listings from the manifest " + manifest);
        } else if (Files.exists(manifest.resolve(ManifestFormat.ROOT))) {
            // TSVs without an index: a manifest cut short (a generation that did not finish, a copy that lost it).
            throw failure(manifest + " has directory files but no " + ManifestFormat.INDEX + ": the manifest is not whole;"
                    + " run generate-manifest again, or remove the folder to have it generated at mount");
        } else {
            LOG.info(() -> "backend " + name + ": no manifest at " + manifest + " yet; generating it, while the store answers listings");
            Thread.ofPlatform().daemon().name("msfs-manifest-" + name).start(() -> b.generate(bucket, prefix, settings));
        }
        return b;
    }

    private void generate(String bucket, String prefix, dev.msfs.config.ManifestSettings settings) {
        try {
            ManifestGenerator g = new ManifestGenerator(reading, manifest, settings.genWorkers(), settings.flatDirConfirmationPages(),
                    settings.hints());
            generating = g;
            ManifestFormat.Index index = g.generate(bucket, prefix, p -> { });
            if (!hold()) {
                LOG.warning("backend " + name + ": its manifest is being rewritten (or it is closing), so the store keeps answering listings");
                return;
            }
            try {
                check(bucket, prefix);
            } catch (BackendException e) {
                unhold();
                throw e;
            }
            ready = true;
            LOG.info(() -> "backend " + name + ": manifest written (" + index.totalObjects() + " objects, "
                    + index.totalDirectories() + " directories); listings come from it now");
        } catch (IOException | BackendException | RuntimeException e) {
            LOG.warning("backend " + name + ": generating its manifest failed, so the store keeps answering listings: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            generating = null;
        }
    }

    /**
     * Holds the manifest's marker shared while this backend lists from it: generate-manifest locks
     * it exclusively before it empties the folder, so it refuses to rewrite a manifest under a
     * mount. False when a generation writes it now, or this backend is closed. A folder this
     * process cannot write (a read-only copy) keeps no marker; nothing here can rewrite it either.
     */
    private synchronized boolean hold() {
        if (closed) {
            return false;
        }
        return switch (ManifestHolds.share(manifest)) {
            case HELD -> holding = true;
            case UNWRITABLE -> {
                LOG.fine(() -> "backend " + name + ": " + manifest + " cannot be written, so it holds no lock");
                yield true;
            }
            case BEING_WRITTEN -> false;
        };
    }

    private synchronized void unhold() {
        if (holding) {
            holding = false;
            ManifestHolds.release(manifest);
        }
    }

    /** The index is whole and this backend's, and the top directory's TSV reads. */
    private void check(String bucket, String prefix) throws BackendException {
        try {
            ManifestFormat.Index index = ManifestFormat.readIndex(manifest.resolve(ManifestFormat.INDEX));
            if (!index.bucket().equals(bucket) || !index.prefix().equals(prefix)) {
                throw failure("the manifest at " + manifest + " lists bucket \"" + index.bucket() + "\", prefix \""
                        + index.prefix() + "\", not this backend's \"" + bucket + "\", \"" + prefix + "\"");
            }
            Path root = manifest.resolve(ManifestFormat.ROOT);
            if (!Files.isRegularFile(root)) {
                throw failure(root + " is missing: the manifest is not whole");
            }
            checked.put(root, ManifestPart.check(root));
        } catch (ManifestFormat.BadLine e) {
            throw failure(e.getMessage());
        } catch (IOException e) {
            throw failure("cannot read the manifest at " + manifest + ": " + e.getMessage());
        }
    }

    private static BackendException failure(String message) {
        return new BackendException(BackendException.Kind.IO, message);
    }

    /** Whether listings come from the manifest (else from the store, until generation ends). */
    public boolean ready() {
        return ready;
    }

    /**
     * Once the manifest is ready, for a directory whose file holds its names in rising byte order
     * (each once: a directory and an object of one name make it unsorted). A directory written in
     * the store's order with subdirectories among its objects is not, and is read whole, so the
     * directory-wins rule applies.
     */
    @Override
    public boolean pagesInOrder(String dir) {
        if (!ready) {
            return false;
        }
        Path part = ManifestFormat.partOf(manifest, dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir);
        try {
            return Files.isRegularFile(part) && sorted(part);
        } catch (IOException | ManifestFormat.BadLine e) {
            return false; // the listing reports it
        }
    }

    @Override
    public ListPage list(String dir, String continuation) throws BackendException {
        boolean fromManifest = continuation == null ? ready : continuation.startsWith(TOKEN);
        if (!fromManifest) {
            return reading.list(dir, continuation); // a listing the store began goes on there, even if the manifest is ready now
        }
        String path = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        Path part = ManifestFormat.partOf(manifest, path);
        try {
            if (!Files.isRegularFile(part)) {
                if (!path.isEmpty() && stat(path).map(ObjectInfo::directory).orElse(false)) {
                    throw failure(part + " is missing, though its parent lists the directory: the manifest is not whole");
                }
                return new ListPage(java.util.List.of(), null, path.isEmpty());
            }
            sorted(part); // the whole file is checked before any page of it is used
            long offset = continuation == null ? 0 : Long.parseLong(continuation.substring(TOKEN.length()));
            ManifestPart.Page page = ManifestPart.page(part, offset, PAGE);
            return new ListPage(page.entries(), page.next() < 0 ? null : TOKEN + page.next(), true);
        } catch (ManifestFormat.BadLine e) {
            throw failure(e.getMessage());
        } catch (IOException | NumberFormatException e) {
            throw failure("cannot read " + part + ": " + e.getMessage());
        }
    }

    /** Whether {@code part}'s names are sorted; checks it whole the first time, so none of a bad file is ever used. */
    private boolean sorted(Path part) throws IOException, ManifestFormat.BadLine {
        Boolean sorted = checked.get(part);
        if (sorted == null) {
            sorted = ManifestPart.check(part);
            checked.put(part, sorted);
        }
        return sorted;
    }

    @Override
    public Optional<ObjectInfo> stat(String path) throws BackendException {
        if (!ready) {
            return reading.stat(path);
        }
        int slash = path.lastIndexOf('/');
        Path part = ManifestFormat.partOf(manifest, slash < 0 ? "" : path.substring(0, slash));
        if (!Files.isRegularFile(part)) {
            return Optional.empty();
        }
        try {
            String name = path.substring(slash + 1);
            return sorted(part) ? ManifestPart.search(part, name) : ManifestPart.find(part, name);
        } catch (ManifestFormat.BadLine e) {
            throw failure(e.getMessage());
        } catch (IOException e) {
            throw failure("cannot read " + part + ": " + e.getMessage());
        }
    }

    @Override
    public SourceMode rootMode() {
        return reading.rootMode();
    }

    @Override
    public String describe() {
        return reading.describe() + ", listings from the manifest " + manifest;
    }

    /** Stops this mount's generation first: it must not go on listing a closed store. */
    @Override
    public void close() {
        ManifestGenerator g = generating;
        if (g != null) {
            g.cancel();
        }
        synchronized (this) {
            closed = true;
        }
        unhold();
        super.close();
    }

    /** With a manifest, no listing reaches the store at mount either (reads will tell whether it answers). */
    @Override
    public void probe() throws BackendException {
        if (!ready) {
            reading.probe();
        }
    }
}
