package dev.msfs.backend;

import java.util.Optional;

/**
 * An object store addressed by key, below the backend's prefix: a directory is a prefix that has
 * keys below it (and wins over an object of the same name); a file is an object found by HEAD.
 * Subclasses only speak their protocol's listing and HEAD.
 */
public abstract class PrefixStore implements Backend {
    protected final String prefix;
    private final int pageSize;

    protected PrefixStore(String prefix, int pageSize) {
        this.prefix = prefix;
        this.pageSize = pageSize > 0 ? pageSize : 1000;
    }

    /** One page of the immediate children of the key prefix {@code fullPrefix} (prefix included). */
    protected abstract ListPage listObjects(String fullPrefix, String continuation, int maxEntries) throws BackendException;

    /**
     * {@link #listObjects} from the key after {@code startAfter} (a whole key), where the protocol
     * can; see {@link #listsAfter}.
     */
    protected ListPage listObjectsAfter(String fullPrefix, String startAfter, String continuation, int maxEntries)
            throws BackendException {
        throw new BackendException(BackendException.Kind.IO, describe() + " cannot list from a name");
    }

    @Override
    public final ListPage listAfter(String dir, String startAfter, String continuation) throws BackendException {
        return listObjectsAfter(prefix + dir, prefix + dir + startAfter, continuation, pageSize);
    }

    /** A listing of one key under the prefix: the cheapest request that needs the bucket and the credentials. */
    @Override
    public void probe() throws BackendException {
        listObjects(prefix, null, 1);
    }

    /** The object at {@code path} (below the prefix), or empty if there is none. */
    protected abstract Optional<ObjectInfo> headObject(String path) throws BackendException;

    @Override
    public final ListPage list(String dir, String continuation) throws BackendException {
        return listObjects(prefix + dir, continuation, pageSize);
    }

    @Override
    public final Optional<ObjectInfo> stat(String path) throws BackendException {
        if (listObjects(prefix + path + "/", null, 1).keysBelow()) { // a folder marker alone proves it too
            return Optional.of(ObjectInfo.dir(Paths.baseName(path), 0));
        }
        return headObject(path);
    }
}
