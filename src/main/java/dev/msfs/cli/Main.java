package dev.msfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code msfs}: mount object storage as a read-mostly POSIX tree. */
@Command(name = "msfs", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Mounts object storage (S3, AIStore, local directories, synthetic trees) as a read-only file tree.",
        subcommands = {MountCommand.class, CheckConfigCommand.class, GenerateManifestCommand.class, VersionCommand.class,
                CommandLine.HelpCommand.class})
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
        args = asMsfsCalls(args, cli.getSubcommands().keySet());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("msfs: error: " + e.getMessage());
            return EXIT_FAILURE;
        });
        return cli.execute(args);
    }

    /**
     * MSFS's own command line, as its mount helper and Docker examples call it: {@code msfs CONFIG}
     * mounts that config (at its mountpoint, or $MSFS_MOUNTPOINT), a bare {@code msfs} mounts the
     * config the MSC search finds, and {@code -v} is {@code --version}. A first word that names a
     * subcommand is that subcommand, even if a file of that name exists.
     */
    static String[] asMsfsCalls(String[] args, java.util.Set<String> subcommands) {
        if (args.length == 0) {
            return new String[] {"mount"};
        }
        if (args[0].equals("-v")) {
            return new String[] {"--version"};
        }
        if (args[0].startsWith("-") || subcommands.contains(args[0])) {
            return args;
        }
        String[] mount = new String[args.length + 2];
        mount[0] = "mount";
        mount[1] = "--config";
        System.arraycopy(args, 0, mount, 2, args.length);
        return mount;
    }
}
