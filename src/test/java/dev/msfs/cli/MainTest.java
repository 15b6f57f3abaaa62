package dev.msfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** MSFS's command line beside msfs's subcommands. */
class MainTest {
    private static final Set<String> SUBCOMMANDS = Set.of("mount", "check-config", "version", "help");

    @Test
    void msfsCallsBecomeSubcommands() {
        assertArrayEquals(new String[] {"mount", "--config", "/etc/msfs.yaml"},
                Main.asMsfsCalls(new String[] {"/etc/msfs.yaml"}, SUBCOMMANDS));
        assertArrayEquals(new String[] {"mount"}, Main.asMsfsCalls(new String[0], SUBCOMMANDS));
        assertArrayEquals(new String[] {"--version"}, Main.asMsfsCalls(new String[] {"-v"}, SUBCOMMANDS));
        assertArrayEquals(new String[] {"mount", "--config", "c.yaml", "/mnt/x"},
                Main.asMsfsCalls(new String[] {"c.yaml", "/mnt/x"}, SUBCOMMANDS));
        assertArrayEquals(new String[] {"check-config", "c.yaml"},
                Main.asMsfsCalls(new String[] {"check-config", "c.yaml"}, SUBCOMMANDS), "a subcommand wins");
        assertArrayEquals(new String[] {"-h"}, Main.asMsfsCalls(new String[] {"-h"}, SUBCOMMANDS));
    }
}
