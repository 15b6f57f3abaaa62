package dev.msfs.cache;

/**
 * One version of one object: cache lines are keyed by it, so a changed object (new ETag or size)
 * never shares lines with its previous version.
 *
 * @param source which backend the object lives in (the cache does not care what that is)
 */
public record ObjectRef(int source, String path, String etag, long size) {
}
