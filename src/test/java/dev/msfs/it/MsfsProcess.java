package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.fail;

import dev.msfs.fuse.MountPoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar target/msfs.jar …} as a child process, the way users run it. {@link #close}
 * always leaves no process and no mount behind, whatever state the test left them in.
 */
final class MsfsProcess implements AutoCloseable {
    private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final Path log;
    private final Path mountpoint;

    private MsfsProcess(Process process, Path log, Path mountpoint) {
        this.process = process;
        this.log = log;
        this.mountpoint = mountpoint;
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar",
                Path.of(System.getProperty("msfs.jar", "target/msfs.jar")).toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts {@code msfs mount ARGS… MOUNTPOINT} and waits until it says it mounted and the kernel agrees. */
    static MsfsProcess mount(Path mountpoint, String... args) throws IOException, InterruptedException {
        return mount(java.util.Map.of(), mountpoint, args);
    }

    /** As {@link #mount(Path, String...)}, with extra environment variables. */
    static MsfsProcess mount(java.util.Map<String, String> env, Path mountpoint, String... args)
            throws IOException, InterruptedException {
        return mountUnder(List.of(), env, mountpoint, args);
    }

    /** As {@link #mount(java.util.Map, Path, String...)}, run by {@code wrapper} (e.g. nohup). */
    static MsfsProcess mountUnder(List<String> wrapper, java.util.Map<String, String> env, Path mountpoint, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(command("mount"));
        cmd.addAll(List.of(args));
        cmd.add(mountpoint.toString());
        return started(cmd, env, mountpoint);
    }

    /** Starts {@code java -jar msfs.jar ARGV…} exactly so (MSFS's forms), and waits until it mounted {@code mountpoint}. */
    static MsfsProcess launch(java.util.Map<String, String> env, Path mountpoint, String... argv)
            throws IOException, InterruptedException {
        return started(command(argv), env, mountpoint);
    }

    private static MsfsProcess started(List<String> cmd, java.util.Map<String, String> env, Path mountpoint)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile(keptLogs(), "msfs-it", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        MsfsProcess m = new MsfsProcess(p, log, mountpoint);
        long deadline = System.nanoTime() + MOUNT_TIMEOUT.toNanos();
        while (!m.log().contains("mounted ") || !MountPoints.isMounted(mountpoint) || MountPoints.isStale(mountpoint)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                m.close();
                fail("msfs did not mount " + mountpoint + ":\n" + m.log());
            }
            Thread.sleep(50);
        }
        return m;
    }

    /** Runs a short msfs command to completion. */
    static Result run(String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("msfs " + String.join(" ", args) + " did not finish");
        }
        return new Result(p.exitValue(), out, err);
    }

    record Result(int status, String out, String err) {
    }

    Process process() {
        return process;
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then the exit status (or -1 if it did not exit within {@code limit}). */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (MountPoints.isMounted(mountpoint)) {
            MountPoints.lazyUnmount(mountpoint);
        }
    }

    /**
     * Where msfs's logs of a test run stay (target/it-logs): kept for debugging, and scanned for
     * test secrets at the end of the run (dev.msfs.SecretScan).
     */
    static Path keptLogs() throws IOException {
        return Files.createDirectories(Path.of("target", "it-logs"));
    }
}
