package dev.msfs.cache;

/** What a cache line holds: line {@code index} (of the cache's line size) of one object version. */
record LineKey(ObjectRef object, long index) {
}
