package dev.msfs.cli;

import dev.msfs.backend.Backend;
import dev.msfs.backend.BackendFactory;
import dev.msfs.config.BackendConfig;
import dev.msfs.config.ConfigException;
import dev.msfs.config.MsfsConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validates a config and prints it resolved (defaults applied, variables substituted).",
        footer = {"", "Exit status: 0 if the config is valid (and, with --probe, every store answers), 1 if a store"
                + " does not answer the probe, 2 if the config is not valid (the error names file, line and key)."})
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "FILE", description = "config file; default: as for mount")
    String file;

    @Option(names = "--demo", description = "check the built-in demo config")
    boolean demo;

    @Option(names = "--strict", description = "refuse unknown keys (by default each is a warning naming file, line and"
            + " key, as MSFS ignores them); strict: true in the config does the same")
    boolean strict;

    @Option(names = "--probe", description = "also send each backend one cheap request (a listing of one key) and"
            + " say which store does not answer; without it, check-config never contacts a store")
    boolean probe;

    @Override
    public Integer call() {
        MsfsConfig c;
        try {
            c = ConfigChoice.load(demo, file, strict);
        } catch (ConfigException e) {
            System.err.println("msfs: error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        c.warnings().forEach(w -> System.err.println("msfs: warning: " + w));
        StringBuilder out = new StringBuilder();
        out.append("# ").append(c.source()).append(": valid").append(c.warnings().isEmpty() ? "" : ", with "
                + c.warnings().size() + " warning(s) above").append('\n');
        out.append("msfs_version: 1\n");
        out.append("mountname: ").append(c.mountname()).append('\n');
        out.append("mountpoint: ").append(c.mountpoint()).append('\n');
        out.append("uid: ").append(c.uid()).append("\ngid: ").append(c.gid()).append('\n');
        out.append("dir_perm: \"").append(Integer.toOctalString(c.dirPerm())).append("\"\n");
        out.append("allow_other: ").append(c.allowOther()).append('\n');
        out.append("entry_attr_ttl: ").append(c.entryAttrTtlMillis()).append('\n');
        out.append("fuse_workers: ").append(c.fuseWorkers()).append('\n');
        out.append("cache_line_size: ").append(c.cacheLineSize()).append('\n');
        out.append("cache_lines: ").append(c.cacheLines()).append('\n');
        out.append("cache_lines_to_prefetch: ").append(c.cacheLinesToPrefetch()).append('\n');
        out.append("direct_io: ").append(c.directIo()).append('\n');
        out.append("kernel_cache: ").append(c.kernelCache()).append('\n');
        out.append("cache_storage: ").append(c.cacheStorage().key()).append('\n');
        if (c.cacheStorage() != dev.msfs.config.CacheStorageMode.RAM) {
            out.append("cache_dir_path: \"").append(c.cacheDirPath()).append("\"\n");
        }
        out.append("process_memory_limit: ").append(c.processMemoryLimit()).append('\n');
        out.append("auto_sighup_interval: ").append(c.autoSighupSeconds()).append('\n');
        out.append("endpoint: \"").append(c.endpoint()).append("\"\n");
        out.append("probe_at_mount: ").append(c.probeAtMount()).append('\n');
        c.telemetry().ifPresent(t -> out.append("# opentelemetry: multistorageclient.* metrics to ").append(t.endpoint())
                .append(", sampled every ").append(t.collectInterval().toMillis()).append(" ms, sent every ")
                .append(t.exportInterval().toMillis()).append(" ms").append(t.attributes().isEmpty() ? ""
                        : "; attributes " + String.join(", ", t.attributes().stream().map(a -> a.key()).toList()))
                .append('\n'));
        out.append("backends:\n");
        for (BackendConfig b : c.backends()) {
            out.append("  - dir_name: ").append(b.dirName()).append('\n');
            out.append("    backend_type: ").append(b.type().sectionName()).append('\n');
            out.append("    bucket_container_name: \"").append(b.bucketContainerName()).append("\"\n");
            out.append("    prefix: \"").append(b.prefix()).append("\"\n");
            out.append("    readonly: ").append(b.readonly()).append('\n');
            out.append("    uid: ").append(b.uid()).append("\n    gid: ").append(b.gid()).append('\n');
            out.append("    dir_perm: \"").append(Integer.toOctalString(b.dirPerm())).append("\"\n");
            out.append("    file_perm: \"").append(Integer.toOctalString(b.filePerm())).append("\"\n");
            out.append("    directory_page_size: ").append(b.directoryPageSize()).append('\n');
            out.append("    trace_level: ").append(b.traceLevel()).append('\n');
            b.manifest().ifPresent(m -> out.append("    manifest_path: \"").append(m.path()).append("\"\n    manifest_gen_workers: ")
                    .append(m.genWorkers()).append("\n    flat_dir_confirmation_pages: ").append(m.flatDirConfirmationPages()).append('\n')
                    .append(m.hints().isEmpty() ? "" : "    # flat_dir_hints: " + String.join(", ", m.hints().stream()
                            .map(h -> h.path() + " (" + h.prefixes().size() + " ranges)").toList()) + "\n"));
            out.append("    ").append(b.type().sectionName()).append(":\n");
            b.settings().keys().forEach((k, v) -> out.append("      ").append(k).append(": ").append(yaml(v)).append('\n'));
            if (b.settings() instanceof dev.msfs.config.TypeSettings.S3 s3) {
                out.append("      # credentials: ").append(s3.credentialsMode()).append('\n');
            }
            out.append("    # who can read it: ").append(whoCanRead(c.allowOther(), b)).append('\n');
        }
        if (!c.acceptedNotUsed().isEmpty()) {
            out.append("# accepted, not yet used by this version:\n");
            c.acceptedNotUsed().forEach(k -> out.append("#   ").append(k).append('\n'));
        }
        System.out.print(out);
        return probe ? probe(c) : 0;
    }

    /** One line per backend, as the mount logs it; 1 when a store does not answer. */
    private static int probe(MsfsConfig c) {
        List<Backend> backends;
        try {
            backends = BackendFactory.createAll(c.backends());
        } catch (ConfigException e) {
            System.err.println("msfs: error: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        try {
            boolean allAnswer = true;
            for (Probe.Outcome o : Probe.all(c.backends(), backends)) {
                System.out.println("# probe: " + o.line());
                allAnswer &= o.problem() == null;
            }
            return allAnswer ? 0 : Main.EXIT_FAILURE;
        } finally {
            backends.forEach(Backend::close);
        }
    }

    /** A value as YAML writes it: strings quoted (so "" and "0755" stay strings), the rest bare. */
    private static String yaml(Object v) {
        if (v instanceof String str) {
            return "\"" + str.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        return String.valueOf(v);
    }

    /** Who may read a backend's files through the mount (the kernel checks the mode bits: default_permissions). */
    static String whoCanRead(boolean allowOther, BackendConfig b) {
        String who = whoMayRead(allowOther, b);
        return b.settings() instanceof dev.msfs.config.TypeSettings.Local
                ? who + ", and never more than each source file's own mode allows" : who;
    }

    private static String whoMayRead(boolean allowOther, BackendConfig b) {
        String bits = "file_perm " + Integer.toOctalString(b.filePerm()) + ", dir_perm " + Integer.toOctalString(b.dirPerm());
        if (!allowOther) {
            return "only the user who mounts msfs (allow_other: false)";
        }
        if ((b.filePerm() & 04) != 0) {
            return "every local user (allow_other: true, " + bits + ")";
        }
        java.util.List<String> who = new java.util.ArrayList<>();
        if ((b.filePerm() & 0400) != 0) {
            who.add("uid " + b.uid());
        }
        if ((b.filePerm() & 040) != 0) {
            who.add("group " + b.gid());
        }
        return (who.isEmpty() ? "nobody but root" : String.join(" and ", who) + " (and root)") + " (" + bits + ")";
    }
}
