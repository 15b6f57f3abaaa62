package dev.msfs.cli;

import dev.msfs.fuse.FuseSession;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", mixinStandardHelpOptions = true, description = "Prints the msfs, libfuse and Java versions.")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String line : new Provider().getVersion()) {
            System.out.println(line);
        }
        return 0;
    }

    /** The jar's version; "dev" outside a packaged jar, as MSFS's builds without a tag say. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"msfs " + (v == null ? "(development build)" : v), "libfuse " + libfuseVersion(),
                    "java " + Runtime.version()};
        }

        private static String libfuseVersion() {
            try {
                return FuseSession.libfuseVersion();
            } catch (Throwable t) {
                return "not found (" + NativeLib.problem(t) + ")";
            }
        }
    }
}
