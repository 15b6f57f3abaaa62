package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.Backend;
import dev.msfs.config.MsfsConfig;
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

    InProcessMount(MsfsConfig config, List<Backend> backends, Path mountpoint) throws Exception {
        this.mountpoint = mountpoint;
        this.fs = new FileSystem(config, backends);
        MountOptions options = new MountOptions(mountpoint, "msfs-test", false, 8, config.directIo(),
                MountOptions.MAX_READ, MountOptions.MAX_BACKGROUND);
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
