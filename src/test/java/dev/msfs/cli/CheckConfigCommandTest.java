package dev.msfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.msfs.config.BackendConfig;
import dev.msfs.config.BackendType;
import dev.msfs.config.TypeSettings;
import org.junit.jupiter.api.Test;

class CheckConfigCommandTest {
    private static BackendConfig backend(int filePerm) {
        return new BackendConfig("d", BackendType.RAM, "", "", true, 1000, 2000, 0555, filePerm, 0, 0,
                new TypeSettings.Ram(10, 10, 10));
    }

    @Test
    void checkConfigSaysWhoCanReadEachBackend() {
        assertEquals("every local user (allow_other: true, file_perm 444, dir_perm 555)",
                CheckConfigCommand.whoCanRead(true, backend(0444)));
        assertEquals("uid 1000 and group 2000 (and root) (file_perm 440, dir_perm 555)",
                CheckConfigCommand.whoCanRead(true, backend(0440)));
        assertEquals("uid 1000 (and root) (file_perm 400, dir_perm 555)", CheckConfigCommand.whoCanRead(true, backend(0400)));
        assertEquals("only the user who mounts msfs (allow_other: false)", CheckConfigCommand.whoCanRead(false, backend(0444)));
    }
}
