package dev.msfs.fuse;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What the kernel says about a mount point, and recovery of one left behind by a dead daemon. */
public final class MountPoints {
    private MountPoints() {
    }

    /** Whether something is mounted exactly at {@code dir} (per /proc/self/mountinfo). */
    public static boolean isMounted(Path dir) throws IOException {
        String target = dir.toAbsolutePath().normalize().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && unescape(f[4]).equals(target)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A FUSE mount whose daemon died: the directory answers ENOTCONN. Opening it is the probe,
     * since opendir always reaches the daemon while stat may be answered from the kernel's cache.
     */
    public static boolean isStale(Path dir) {
        try (var entries = Files.newDirectoryStream(dir)) {
            return false;
        } catch (FileSystemException e) {
            return e.getReason() != null && e.getReason().contains("not connected");
        } catch (IOException e) {
            return false;
        }
    }

    /** Detaches whatever is mounted at {@code dir} (fusermount3 -uz, else umount -l). */
    public static void lazyUnmount(Path dir) throws IOException {
        String path = dir.toAbsolutePath().normalize().toString();
        if (run(List.of("fusermount3", "-u", "-z", "-q", path)) != 0 && run(List.of("umount", "-l", path)) != 0) {
            throw new IOException("could not unmount " + path);
        }
    }

    private static int run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(s.charAt(i));
            }
        }
        return out.toString();
    }
}
