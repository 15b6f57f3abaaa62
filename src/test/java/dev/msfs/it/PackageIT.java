package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.msfs.fuse.MountPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb as a node gets it: built by packaging/deb/build, installed with dpkg, the demo mounted
 * through `mount -t msfs` by a daemon running the package's own runtime (no JDK), unmounted, and
 * the package purged without a trace. Changes the machine (root, CI); always purges.
 */
class PackageIT {
    private static final Path INSTALLED = Path.of("/opt/msfs");

    private static String run(int expected, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd) + " did not finish");
        assertEquals(expected, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    void theDebInstallsMountsTheDemoAndPurgesCleanly(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg")), "a Debian machine");
        assumeTrue(!Files.exists(INSTALLED), "msfs is installed from a package already: not touching it");
        String built = run(0, "bash", "packaging/deb/build");
        Path deb;
        try (Stream<Path> s = Files.list(Path.of("target/package"))) {
            deb = s.filter(p -> p.toString().endsWith("_amd64.deb")).findFirst().orElseThrow();
        }
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try {
            run(0, "dpkg", "-i", deb.toString());
            assertTrue(run(0, "dpkg-deb", "-f", deb.toString(), "Depends").contains("libfuse3-3"), built);
            assertTrue(run(0, "/usr/bin/msfs", "version").startsWith("msfs 0."));
            run(0, "mount", "-t", "msfs", "/usr/share/doc/msfs/examples/demo.yaml", mnt.toString());
            assertTrue(MountPoints.isMounted(mnt));
            assertEquals(1_048_576, Files.readAllBytes(mnt.resolve("pseudo/file_00000000")).length);
            long pid = daemonOf(mnt);
            assertEquals(INSTALLED.resolve("lib/runtime/bin/java"), Path.of("/proc/" + pid + "/exe").toRealPath(),
                    "the daemon runs the package's own runtime");
            run(0, "umount", mnt.toString());
            ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            assertFalse(MountPoints.isMounted(mnt));
        } finally {
            if (MountPoints.isMounted(mnt)) {
                MountPoints.lazyUnmount(mnt);
            }
            run(0, "dpkg", "--purge", "msfs");
        }
        for (String left : List.of("/opt/msfs", "/usr/bin/msfs", "/sbin/mount.msfs", "/usr/share/doc/msfs")) {
            assertFalse(Files.exists(Path.of(left)), left + " is left after the purge");
        }
    }

    /** The daemon serving {@code mnt}: the java whose command line names the package's jar and mounts there. */
    private static long daemonOf(Path mnt) {
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine().map(c -> c.contains("/opt/msfs/lib/app/msfs.jar")
                && c.contains(" mount")).orElse(false)).mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new AssertionError("no msfs daemon for " + mnt));
    }
}
