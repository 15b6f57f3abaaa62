package dev.msfs.metrics;

import java.util.List;

/** What the endpoint's routes ask of the mount itself. */
public interface MountView {
    /** Drops every cached line not being fetched; returns how many (/drain). */
    int drain();

    /** The inodes the kernel holds, one line each, {@code max} at most (/dump). */
    List<String> dump(int max);

    /** msfs's locks, measured (/locks, /hang). */
    List<MeasuredLock> locks();
}
