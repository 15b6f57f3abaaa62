package dev.msfs.cache;

/**
 * Counters since mount.
 *
 * @param hits     line lookups that found the line resident
 * @param misses   line lookups that had to fetch
 * @param waits    line lookups that waited for another reader's fetch of the same line
 * @param retries  optimistic copies thrown away because the line was evicted or refetched meanwhile
 * @param poisoned fetches that failed or came back short; their lines were evicted, never served
 * @param uncachedReads reads served straight from the backend because the cache could not store
 *                      their line (its disk full or failing)
 * @param readsWhileFetching copies served from a line still being fetched, of bytes that had arrived
 */
public record CacheStats(long hits, long misses, long waits, long fetches, long prefetches, long fetchFailures,
                         long poisoned, long retries, long evictions, long bytesServed, long uncachedReads,
                         long readsWhileFetching) {
}
