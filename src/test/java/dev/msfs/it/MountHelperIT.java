package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.fuse.MountPoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/mount.msfs exactly as mount(8) calls it for `mount -t msfs CONFIG DIR` (mount(8) itself
 * would need the helper installed in /sbin, which a test must not do), then `umount`.
 */
class MountHelperIT {
    @Test
    void theMountHelperMountsAndUmountStopsTheDaemon(@TempDir Path dir) throws Exception {
        Path launcher = dir.resolve("msfs");
        Files.writeString(launcher, "#!/bin/sh\nexec " + String.join(" ", MsfsProcess.command()) + " \"$@\"\n");
        assertTrue(launcher.toFile().setExecutable(true));
        Path cfg = dir.resolve("c.yaml");
        Files.writeString(cfg, "msfs_version: 1\nallow_other: false\nbackends:\n"
                + "  - {dir_name: p, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 1, file_size: 1000}}\n");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Path logs = MsfsProcess.keptLogs().resolve("mount-helper-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        ProcessBuilder pb = new ProcessBuilder("sh", "scripts/mount.msfs", cfg.toString(), mnt.toString(), "-o", "rw")
                .redirectErrorStream(true);
        pb.environment().put("MSFS_BINARY", launcher.toString());
        pb.environment().put("MSFS_LOG_DIR", logs.toString());
        Process helper = pb.start();
        String out = new String(helper.getInputStream().readAllBytes());
        assertTrue(helper.waitFor(90, TimeUnit.SECONDS));
        try {
            assertEquals(0, helper.exitValue(), out);
            assertTrue(MountPoints.isMounted(mnt));
            assertEquals(1000, Files.readAllBytes(mnt.resolve("p/file_00000000")).length);
            List<Path> pidFiles;
            try (Stream<Path> s = Files.list(logs)) {
                pidFiles = s.filter(p -> p.toString().endsWith(".pid")).toList();
            }
            assertEquals(1, pidFiles.size());
            Path pidFile = pidFiles.getFirst();
            Path logFile = Path.of(pidFile.toString().replaceAll("\\.pid$", ".log"));
            assertTrue(Files.isRegularFile(logFile), "the log and the pid file must share a name: " + pidFile);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logs)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(logFile)));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pidFile)));
            long pid = Long.parseLong(Files.readString(pidFile).split(" ")[0]);
            ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow();

            assertEquals(0, new ProcessBuilder("umount", mnt.toString()).start().waitFor());
            daemon.onExit().get(30, TimeUnit.SECONDS); // bounded: a daemon that outlives its mount fails here
            assertFalse(MountPoints.isMounted(mnt));
            try (Stream<Path> s = Files.list(logs)) {
                String log = Files.readString(s.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow());
                assertTrue(log.contains("unmounted " + mnt.toRealPath()), log);
            }
        } finally {
            if (MountPoints.isMounted(mnt)) {
                MountPoints.lazyUnmount(mnt);
            }
        }
    }

    /** -o options msfs does not take from the mount command are refused by name, before anything starts. */
    @Test
    void optionsTheHelperDoesNotTakeAreRefusedClearly(@TempDir Path dir) throws Exception {
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        Process helper = new ProcessBuilder("sh", "scripts/mount.msfs", dir.resolve("c.yaml").toString(), mnt.toString(),
                "-o", "rw,uid=5").redirectErrorStream(true).start();
        String out = new String(helper.getInputStream().readAllBytes());
        assertTrue(helper.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, helper.exitValue(), out);
        assertTrue(out.contains("option 'uid=5' is not taken from the mount command"), out);
        assertFalse(MountPoints.isMounted(mnt));
    }
}
