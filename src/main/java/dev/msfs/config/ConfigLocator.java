package dev.msfs.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the config file when none is named, in the Multi-Storage Client's order: {@code $MSC_CONFIG},
 * {@code $XDG_CONFIG_HOME/msc/config.*}, {@code ~/.msc_config.*}, {@code ~/.config/msc/config.*},
 * {@code $XDG_CONFIG_DIRS/msc/config.*} (default /etc/xdg), {@code /etc/msc_config.*}; each with the
 * extensions yaml, yml, json. The first readable file wins.
 */
public final class ConfigLocator {
    private static final String[] EXTENSIONS = {"yaml", "yml", "json"};

    private ConfigLocator() {
    }

    public static List<Path> candidates(Map<String, String> env) {
        List<Path> out = new ArrayList<>();
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        String xdgHome = env.get("XDG_CONFIG_HOME");
        if (xdgHome != null && !xdgHome.isEmpty()) {
            addAll(out, xdgHome + "/msc/config");
        }
        addAll(out, home + "/.msc_config");
        addAll(out, home + "/.config/msc/config");
        String dirs = env.getOrDefault("XDG_CONFIG_DIRS", "");
        for (String d : (dirs.isEmpty() ? "/etc/xdg" : dirs).split(":")) {
            if (!d.isEmpty()) {
                addAll(out, d + "/msc/config");
            }
        }
        addAll(out, "/etc/msc_config");
        return out;
    }

    /** The explicit path if given, else {@code MSC_CONFIG}, else the first readable candidate. */
    public static Optional<Path> locate(String explicit, Map<String, String> env) {
        if (explicit != null && !explicit.isEmpty()) {
            return Optional.of(Path.of(explicit));
        }
        String fromEnv = env.get("MSC_CONFIG");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(Path.of(fromEnv));
        }
        return candidates(env).stream().filter(Files::isReadable).findFirst();
    }

    private static void addAll(List<Path> out, String stem) {
        for (String ext : EXTENSIONS) {
            out.add(Path.of(stem + "." + ext));
        }
    }
}
