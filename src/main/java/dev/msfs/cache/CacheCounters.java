package dev.msfs.cache;

import java.util.concurrent.atomic.LongAdder;

/** The cache's counters since mount; see {@link CacheStats} for what each counts. Contention-free adders. */
final class CacheCounters {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder waits = new LongAdder();
    final LongAdder fetches = new LongAdder();
    final LongAdder prefetches = new LongAdder();
    final LongAdder fetchFailures = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder bytesServed = new LongAdder();
    final LongAdder uncachedReads = new LongAdder();
    final LongAdder readsWhileFetching = new LongAdder();

    /** Every failed fetch poisons its line, so the two counts are one. */
    CacheStats snapshot() {
        long failures = fetchFailures.sum();
        return new CacheStats(hits.sum(), misses.sum(), waits.sum(), fetches.sum(), prefetches.sum(), failures, failures,
                retries.sum(), evictions.sum(), bytesServed.sum(), uncachedReads.sum(),
                readsWhileFetching.sum());
    }
}
