package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Backend;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.BackendType;
import dev.msfs.config.CacheStorageMode;
import dev.msfs.config.MsfsConfig;
import dev.msfs.config.TypeSettings;
import dev.msfs.fs.FileSystem;
import dev.msfs.fuse.FuseSession;
import dev.msfs.fuse.MountOptions;
import dev.msfs.fuse.MountPoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real kernel mount served by this JVM, for tests that need to reach inside (fault-injecting
 * backends, cache counters). {@link #close} stops serving and unmounts, whatever happened.
 */
final class InProcessMount implements AutoCloseable {
    final FileSystem fs;
    private final FuseSession session;
    private final Thread loop;
    private final Path mountpoint;

    /** A direct_io mount of one backend at {@code <mountpoint>/<dirName>}. */
    static MsfsConfig oneBackend(String dirName, BackendType type, TypeSettings settings, long lineSize, int lines, int prefetch) {
        BackendConfig b = new BackendConfig(dirName, type, "", "", true, 0, 0, 0555, 0444, 0, 0, settings);
        return MsfsConfig.builder("test").owner(0, 0).allowOther(false).entryAttrTtlMillis(10_000).fuseWorkers(8)
                .cache(lineSize, lines, prefetch).cacheStorage(CacheStorageMode.RAM, Path.of("/nonexistent")).directIo(true)
                .backends(List.of(b)).build();
    }

    InProcessMount(MsfsConfig config, List<Backend> backends, Path mountpoint) throws Exception {
        this.mountpoint = mountpoint;
        this.fs = FileSystem.of(config, backends);
        MountOptions options = new MountOptions(mountpoint, "msfs-test", false, 8, MountOptions.MAX_READ,
                MountOptions.MAX_BACKGROUND, false);
        this.session = FuseSession.mount(fs, options);
        this.loop = Thread.ofPlatform().name("fuse-loop").start(() -> {
            try {
                session.serve();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(MountPoints.isMounted(mountpoint));
    }

    @Override
    public void close() throws Exception {
        session.stop();
        boolean stopped = session.awaitServed(Duration.ofSeconds(10));
        loop.join(10_000);
        if (MountPoints.isMounted(mountpoint)) {
            MountPoints.lazyUnmount(mountpoint);
        }
        if (stopped) {
            fs.close();
        }
    }
}
