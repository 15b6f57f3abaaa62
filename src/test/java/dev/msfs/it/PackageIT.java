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
 * The packages as a node gets them, built by packaging/build. The .deb: installed with dpkg, the
 * demo mounted through `mount -t msfs` by a daemon running the package's own runtime (no JDK) and
 * its AOT cache, unmounted, and purged without a trace; this changes the machine (root, CI) and
 * always purges. The .rpm: its files and dependencies, and its runtime run from a scratch root.
 */
class PackageIT {
    private static final Path INSTALLED = Path.of("/opt/msfs");

    private static String run(int expected, String... cmd) throws IOException, InterruptedException {
        return run(java.util.Map.of(), expected, cmd);
    }

    private static String run(java.util.Map<String, String> env, int expected, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
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
        String built = run(0, "bash", "packaging/build");
        Path deb = built("_amd64.deb");
        checkRpm(built(".x86_64.rpm"), dir.resolve("rpm-root"));
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        try {
            run(0, "dpkg", "-i", deb.toString());
            assertTrue(run(0, "dpkg-deb", "-f", deb.toString(), "Depends").contains("libfuse3-3"), built);
            assertTrue(run(0, "/usr/bin/msfs", "version").startsWith("msfs 0."));
            assertTrue(run(java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xlog:aot"), 0, "/usr/bin/msfs", "version")
                    .contains("Using AOT-linked classes: true"), "the installed AOT cache was not used");
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

    private static Path built(String suffix) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("target/package"))) {
            return s.filter(p -> p.toString().endsWith(suffix)).findFirst().orElseThrow(() -> new AssertionError("no *" + suffix));
        }
    }

    /** Debian's rpm installs into a scratch root of its own, so nothing of the machine changes. */
    private static void checkRpm(Path rpm, Path root) throws Exception {
        List<String> requires = List.of(run(0, "rpm", "-qp", "--requires", rpm.toString()).split("\n"));
        assertTrue(requires.containsAll(List.of("fuse3", "fuse3-libs")), requires.toString());
        List<String> files = List.of(run(0, "rpm", "-qpl", rpm.toString()).split("\n"));
        assertTrue(files.containsAll(List.of("/usr/bin/msfs", "/usr/sbin/mount.msfs", "/opt/msfs/lib/app/msfs.jar",
                "/opt/msfs/lib/app/msfs.aot", "/opt/msfs/lib/runtime/bin/java")), files.toString());
        run(0, "rpm", "--root", root.toString(), "--initdb");
        run(0, "rpm", "--root", root.toString(), "-i", "--nodeps", "--noscripts", rpm.toString());
        Path app = root.resolve("opt/msfs/lib/app");
        String out = run(java.util.Map.of("JAVA_TOOL_OPTIONS", "-Xlog:aot"), 0, root.resolve("opt/msfs/lib/runtime/bin/java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:AOTCache=" + app.resolve("msfs.aot"), "-jar", app.resolve("msfs.jar").toString(),
                "version");
        assertTrue(out.contains("msfs 0.") && out.contains("Using AOT-linked classes: true"), out);
    }

    /** The daemon serving {@code mnt}: the java whose command line names the package's jar and mounts there. */
    private static long daemonOf(Path mnt) {
        return ProcessHandle.allProcesses().filter(h -> h.info().commandLine().map(c -> c.contains("/opt/msfs/lib/app/msfs.jar")
                && c.contains(" mount")).orElse(false)).mapToLong(ProcessHandle::pid).findFirst()
                .orElseThrow(() -> new AssertionError("no msfs daemon for " + mnt));
    }
}
