package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.fuse.MountPoints;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the least-privilege pod (config-examples/k8s/training-pod-least-privilege.yaml) relies on,
 * run here without a cluster: msfs in its own mount namespace ({@code unshare -m}), on a
 * read-only root filesystem with a writable cache volume, holding CAP_SYS_ADMIN and no other
 * capability ({@code setpriv}), mounts, serves files and answers its endpoint; its mount is not
 * seen outside its namespace.
 */
class ConfinedMountIT {
    private static final String CAP_SYS_ADMIN_ONLY = "0000000000200000"; // bit 21

    @Test
    void mountsAndServesWithOnlySysAdminOnAReadOnlyRoot(@TempDir Path dir) throws Exception {
        Path source = Files.createDirectories(dir.resolve("source"));
        Files.writeString(source.resolve("a.txt"), "served while confined");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path cache = Files.createDirectories(dir.resolve("cache")); // the pod's cache volume: a tmpfs in msfs's namespace
        Path config = Files.writeString(dir.resolve("c.yaml"), """
                msfs_version: 1
                endpoint: http://0.0.0.0:%d
                cache_dir_path: %s
                backends:
                  - dir_name: local
                    backend_type: LOCAL
                    LOCAL: {base_path: %s}
                """.formatted(port, cache, source));
        Path log = Files.createTempFile(MsfsProcess.keptLogs(), "confined", ".log");
        List<String> cmd = new ArrayList<>(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o size=64m tmpfs " + cache + " && mount -o remount,bind,ro / && "
                        + "exec setpriv --bounding-set=-all,+sys_admin --inh-caps=-all -- \"$@\"", "sh"));
        cmd.addAll(MsfsProcess.command("mount", "--config", config.toString(), mnt.toString()));
        Process msfs = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("mounted 1 backend")) {
                if (!msfs.isAlive() || System.nanoTime() > deadline) {
                    fail("msfs did not mount while confined:\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
            String status = Files.readString(Path.of("/proc/" + msfs.pid() + "/status"));
            assertTrue(status.contains("CapEff:\t" + CAP_SYS_ADMIN_ONLY) && status.contains("CapBnd:\t" + CAP_SYS_ADMIN_ONLY), status);
            boolean readOnlyRoot = Files.readAllLines(Path.of("/proc/" + msfs.pid() + "/mountinfo")).stream()
                    .map(line -> line.split(" "))
                    .anyMatch(f -> f[4].equals("/") && (f[5].equals("ro") || f[5].startsWith("ro,")));
            assertTrue(readOnlyRoot, "msfs's root filesystem is not read-only");
            // Its root, as msfs sees it, with the mount on it.
            Path itsRoot = Path.of("/proc/" + msfs.pid() + "/root");
            assertEquals("served while confined", Files.readString(itsRoot.resolve(mnt.toString().substring(1)).resolve("local/a.txt")));
            assertFalse(MountPoints.isMounted(mnt), "the mount leaked out of msfs's mount namespace");
            HttpResponse<String> ready = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode(), ready.body());
        } finally {
            msfs.destroy(); // SIGTERM: msfs unmounts; its namespace goes with it
            if (!msfs.waitFor(30, TimeUnit.SECONDS)) {
                msfs.destroyForcibly();
            }
        }
        assertTrue(Files.readString(log).contains("unmounted " + mnt), Files.readString(log));
    }
}
