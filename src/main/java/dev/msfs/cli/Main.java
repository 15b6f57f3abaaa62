package dev.msfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code msfs}: mount object storage as a read-mostly POSIX tree. */
@Command(name = "msfs", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Mounts object storage (S3, AIStore, local directories, synthetic trees) as a read-only file tree.",
        subcommands = {MountCommand.class, CheckConfigCommand.class, VersionCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit status after a clean unmount, a signal's included. */
    static final int EXIT_OK = 0;
    /** Exit status for a config or usage error (as MSFS and most CLIs). */
    static final int EXIT_CONFIG = 2;
    /** Exit status for a failure at run time (cannot mount, libfuse missing…). */
    static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.setProperty("java.util.logging.manager", Logging.KeepHandlersAtExit.class.getName());
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("msfs: error: " + e.getMessage());
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }
}
