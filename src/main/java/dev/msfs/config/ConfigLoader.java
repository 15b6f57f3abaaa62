package dev.msfs.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/** Turns an MSFS config file (YAML or JSON, by extension) into a validated {@link MsfsConfig}. */
public final class ConfigLoader {
    public static final long DEFAULT_ENTRY_ATTR_TTL_MILLIS = 10_000;
    public static final long DEFAULT_CACHE_LINE_SIZE = 10L << 20;
    public static final int DEFAULT_CACHE_LINES = 128;
    public static final int DEFAULT_CACHE_LINES_TO_PREFETCH = 4;
    /** MSFS's: bytes written and not yet in the store, across every file being written. */
    public static final long DEFAULT_WRITE_DEFERRAL_MAX_BYTES = 1L << 30;
    /** On local disk, unlike /tmp, which is often tmpfs (memory); point cache_dir_path at local NVMe. */
    public static final Path DEFAULT_CACHE_DIR = Path.of("/var/tmp");

    /** MSFS keys this build parses loosely and reports from check-config instead of acting on. */
    private static final Set<String> GLOBAL_NOT_YET_USED = Stream.concat(Stream.of("max_write",
                    "evictable_inode_ttl", "virtual_dir_ttl", "virtual_file_ttl", "ttl_check_interval",
                    "dirty_cache_lines_flush_trigger", "dirty_cache_lines_max",
                    "fuse_fd_per_worker", "metadata_cache_paging_mode", "pebble_cache_size",
                    "pebble_l0_compaction_file_threshold", "pebble_l0_stop_writes_threshold", "pebble_mem_table_size"),
            Stream.of("inode_map", "inode_eviction_queue", "phys_child_dir_entry_map", "virt_child_dir_entry_map")
                    .flatMap(p -> Stream.of("keys_per_page_max", "page_evict_low_limit", "page_evict_high_limit",
                            "page_dirty_flush_trigger", "flushes_per_gc").map(s -> p + "_" + s)))
            .collect(Collectors.toUnmodifiableSet());
    private static final Set<String> BACKEND_NOT_YET_USED = Set.of("flush_on_close");
    private final Map<String, String> env;
    private final int defaultUid;
    private final int defaultGid;
    private final boolean strict;

    public ConfigLoader(Map<String, String> env, int defaultUid, int defaultGid) {
        this(env, defaultUid, defaultGid, false);
    }

    private ConfigLoader(Map<String, String> env, int defaultUid, int defaultGid, boolean strict) {
        this.env = env;
        this.defaultUid = defaultUid;
        this.defaultGid = defaultGid;
        this.strict = strict;
    }

    /** A loader that refuses unknown keys instead of warning about them ({@code check-config --strict}). */
    public ConfigLoader strict() {
        return new ConfigLoader(env, defaultUid, defaultGid, true);
    }

    /** Loader for this process: real environment, owner defaults to the effective uid/gid. */
    public static ConfigLoader forProcess() {
        com.sun.security.auth.module.UnixSystem unix = new com.sun.security.auth.module.UnixSystem();
        return new ConfigLoader(System.getenv(), (int) unix.getUid(), (int) unix.getGid());
    }

    public MsfsConfig load(Path file) throws ConfigException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!(name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) {
            throw new ConfigException(file + ": config files must end in .yaml, .yml or .json");
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": no such config file");
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            if (name.endsWith(".json")) {
                // JSON allows tabs between tokens, YAML does not; a raw tab can only be whitespace in valid JSON.
                text = text.replace('\t', ' ');
            } else {
                text = tabsBetweenTokens(text);
            }
            return parse(file.toString(), new java.io.StringReader(text));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * Go's YAML parser, which MSFS uses, takes a tab between tokens as a space, and anywhere inside
     * a flow collection ({@code [...]}, {@code {...}}), indentation included; MSFS's own tests write
     * configs that way. SnakeYAML refuses them. So outside quotes and comments, a tab after the
     * first non-blank character of its line, or inside brackets, becomes a space. A tab indenting a
     * block line stays, and is refused as both parsers refuse it; line numbers do not change.
     */
    static String tabsBetweenTokens(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean indentation = true;
        boolean comment = false;
        int flow = 0; // depth of [ and { open now
        char last = '\n'; // the last non-blank character outside quotes and comments on this line
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                indentation = true;
                comment = false;
                quote = 0; // msfs's configs hold no multi-line quoted scalars; a stray quote ends with its line
                last = '\n';
            } else if (comment) {
                // as written
            } else if (quote != 0) {
                if (c == '\\' && quote == '"' && i + 1 < text.length()) {
                    out.append(c).append(text.charAt(++i));
                    continue;
                }
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '#' && (i == 0 || text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t' || text.charAt(i - 1) == '\n')) {
                comment = true;
            } else if (c == '"' || c == '\'') {
                quote = c;
                indentation = false;
                last = c;
            } else if (c == '\t') {
                if (!indentation || flow > 0) {
                    c = ' ';
                }
            } else if (c != ' ') {
                // A bracket opens a collection inside one, or where a value or item begins (not inside a plain scalar).
                if ((c == '[' || c == '{') && (flow > 0 || last == ':' || last == '-' || last == '\n')) {
                    flow++;
                } else if ((c == ']' || c == '}') && flow > 0) {
                    flow--;
                }
                indentation = false;
                last = c;
            }
            out.append(c);
        }
        return out.toString();
    }

    public MsfsConfig parse(String source, Reader text) throws ConfigException {
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setProcessComments(false);
            root = new Yaml(options).compose(text);
        } catch (MarkedYAMLException e) {
            // Only the position and the problem: SnakeYAML's snippet of the line could hold a secret.
            Mark m = e.getProblemMark();
            throw new ConfigException(source + ":" + (m == null ? 0 : m.getLine() + 1) + ": not valid YAML/JSON: "
                    + withoutValues(e.getProblem()));
        } catch (YAMLException e) {
            throw new ConfigException(source + ": not valid YAML/JSON");
        }
        if (root == null) {
            throw new ConfigException(source + ": the config file is empty");
        }
        UnknownKeys unknown = new UnknownKeys(strict);
        MsfsConfig c;
        try {
            c = read(source, NodeReader.root(source, root, new EnvSubstitution(env), unknown));
        } catch (ConfigException e) {
            if (unknown.warnings().isEmpty()) {
                throw e;
            }
            // A misspelt key is the likely cause of what failed after it (secret_acess_key: no secret): name it first.
            throw new ConfigException(String.join("; ", unknown.warnings()) + "; and then: " + e.getMessage());
        }
        List<String> warnings = new ArrayList<>(unknown.warnings());
        warnings.addAll(c.warnings()); // an MSC translation's own
        return c.toBuilder().warnings(warnings).build();
    }

    private MsfsConfig read(String source, NodeReader top) throws ConfigException {
        long version = top.integer("msfs_version", 0, 0, Long.MAX_VALUE);
        if (version == 0) {
            return fromMsc(source, top);
        }
        if (version != 1) {
            throw top.error("msfs_version", "unknown version " + version + ": expected 1 (or 0 for MSC profiles)");
        }
        if (top.bool("strict", false)) {
            top.makeStrict();
        }
        List<String> notYetUsed = GLOBAL_NOT_YET_USED.stream().filter(top::has).sorted().toList();
        notYetUsed = new ArrayList<>(notYetUsed);
        Optional<TelemetryConfig> telemetry = TelemetrySection.read(top, new EnvSubstitution(env), notYetUsed);
        String mountname = top.string("mountname", "msfs");
        String mountpoint = top.string("mountpoint", "/mnt");
        String fromEnv = env.get("MSFS_MOUNTPOINT");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            mountpoint = fromEnv;
        }
        int uid = (int) top.integer("uid", defaultUid, 0, 0xFFFF_FFFEL);
        int gid = (int) top.integer("gid", defaultGid, 0, 0xFFFF_FFFEL);
        int dirPerm = top.octal("dir_perm", "555");
        boolean allowOther = top.bool("allow_other", true);
        long ttl = top.integer("entry_attr_ttl", DEFAULT_ENTRY_ATTR_TTL_MILLIS, 0, 365L * 24 * 3600 * 1000);
        int workers = (int) top.integer("fuse_workers", 0, 0, 1024);
        if (workers == 0) {
            workers = Math.max(10, 2 * Runtime.getRuntime().availableProcessors());
        }
        long lineSize = top.integer("cache_line_size", DEFAULT_CACHE_LINE_SIZE, 4096, 1L << 32);
        int lines = (int) top.integer("cache_lines", DEFAULT_CACHE_LINES, 1, 1 << 24);
        int prefetch = (int) top.integer("cache_lines_to_prefetch", DEFAULT_CACHE_LINES_TO_PREFETCH, 0, 1 << 24);
        CacheStorageMode storage = cacheStorage(top);
        String cacheDir = top.string("cache_dir_path", "");
        long memoryLimit = top.integer("process_memory_limit", 4L << 30, 0, Long.MAX_VALUE);
        long writeBudget = top.integer("write_deferral_max_bytes", DEFAULT_WRITE_DEFERRAL_MAX_BYTES, 0, Long.MAX_VALUE);
        boolean directIo = top.bool("direct_io", false);
        boolean kernelCache = top.bool("kernel_cache", false);
        long autoSighup = top.integer("auto_sighup_interval", 0, 0, 365L * 24 * 3600);
        String endpoint = top.string("endpoint", "");
        boolean probeAtMount = top.bool("probe_at_mount", true);
        List<NodeReader> readers = top.mappings("backends");
        checkNotYetUsed(top, ttl);
        top.rejectUnknown(); // a misspelt key is named before any rule that pairs keys trips over its absence
        if (lineSize % 4096 != 0) {
            throw top.error("cache_line_size", lineSize + " is not a multiple of 4096 (cache lines are page aligned)");
        }
        if (kernelCache && directIo) {
            throw top.error("kernel_cache", "true needs the kernel's page cache, which direct_io: true turns off; choose one");
        }
        if (prefetch >= lines) {
            throw top.error("cache_lines_to_prefetch", prefetch + " must be less than cache_lines (" + lines + ")");
        }
        if (storage == CacheStorageMode.RAM && memoryLimit > 0 && lineSize * lines > memoryLimit) {
            throw top.error("cache_lines", "the cache in memory (" + lines + " x " + lineSize + " = " + lineSize * lines
                    + " bytes) exceeds process_memory_limit (" + memoryLimit + " bytes); cache_storage: mapped-file"
                    + " keeps it on disk, where it does not count");
        }
        // As in MSFS: "http://:9088" listens on every interface, and port 0 takes a free port (logged).
        if (!endpoint.isEmpty() && (!endpoint.matches("http://[^/?#:]*:\\d{1,5}/?")
                || Integer.parseInt(endpoint.replaceAll(".*:(\\d+)/?$", "$1")) > 65535)) {
            throw top.error("endpoint", "expected http://host:port, http://:port (every interface) or port 0 (a free one);"
                    + " https is not supported; got \"" + endpoint + "\"");
        }
        List<BackendConfig> backends = new ArrayList<>();
        Set<String> dirNames = new HashSet<>();
        Map<Path, String> manifestOwners = new HashMap<>();
        for (NodeReader b : readers) {
            BackendConfig bc = backend(b, uid, gid, lineSize, notYetUsed);
            if (!bc.readonly() && allowOther && ((bc.dirPerm() | bc.filePerm()) & 0002) != 0) {
                b.warn("readonly", "false with allow_other and dir_perm " + Integer.toOctalString(bc.dirPerm()) + ", file_perm "
                        + Integer.toOctalString(bc.filePerm()) + ": every local user may write and delete this backend's"
                        + " objects; set dir_perm: \"755\", file_perm: \"644\" (and uid/gid) to keep writes to their owner");
            }
            if (!dirNames.add(bc.dirName())) {
                throw b.error("dir_name", "\"" + bc.dirName() + "\" is used by another backend; dir_name must be unique");
            }
            String manifest = b.string("manifest_path", "");
            String owner = manifest.isEmpty() ? null
                    : manifestOwners.putIfAbsent(Path.of(expandHome(manifest)).toAbsolutePath().normalize(), bc.dirName());
            if (owner != null) { // as MSFS: generating a manifest empties its directory first
                throw b.error("manifest_path", "\"" + manifest + "\" is backend " + owner + "'s manifest_path too; each backend needs its own");
            }
            backends.add(bc);
        }
        checkManifestRouting(backends, readers);
        if (backends.isEmpty()) {
            throw top.error("backends", "at least one backend is needed");
        }
        return MsfsConfig.builder(source).mountname(mountname).mountpoint(mountpoint).owner(uid, gid).dirPerm(dirPerm)
                .allowOther(allowOther).entryAttrTtlMillis(ttl).fuseWorkers(workers).cache(lineSize, lines, prefetch)
                .cacheStorage(storage, cacheDir.isEmpty() ? DEFAULT_CACHE_DIR : Path.of(expandHome(cacheDir))).directIo(directIo).kernelCache(kernelCache).processMemoryLimit(memoryLimit).writeDeferralMaxBytes(writeBudget).autoSighupSeconds(autoSighup)
                .endpoint(endpoint.replaceAll("/$", "")).probeAtMount(probeAtMount).telemetry(telemetry).backends(backends).acceptedNotUsed(notYetUsed).build();
    }

    /**
     * The keys MSFS has and msfs does not act on, checked as MSFS checks them (types, ranges, enums,
     * the TTL ordering), so a config msfs accepts is one MSFS accepts too.
     */
    private static void checkNotYetUsed(NodeReader top, long entryAttrTtl) throws ConfigException {
        top.integer("max_write", 131_072, 0, Long.MAX_VALUE);
        top.bool("fuse_fd_per_worker", false);
        long evictable = top.integer("evictable_inode_ttl", 1_000_000, 0, Long.MAX_VALUE);
        if (evictable < entryAttrTtl) {
            throw top.error("evictable_inode_ttl", evictable + " should be at least entry_attr_ttl (" + entryAttrTtl + "), as MSFS requires");
        }
        for (String ttl : List.of("virtual_dir_ttl", "virtual_file_ttl")) {
            long v = top.integer(ttl, 1_000_000, 0, Long.MAX_VALUE);
            if (v < evictable) {
                throw top.error(ttl, v + " should be at least evictable_inode_ttl (" + evictable + "), as MSFS requires");
            }
        }
        top.integer("ttl_check_interval", 250, 1, Long.MAX_VALUE);
        long trigger = top.integer("dirty_cache_lines_flush_trigger", 80, 0, 100);
        long max = top.integer("dirty_cache_lines_max", 90, 0, 100);
        if (trigger > max) {
            throw top.error("dirty_cache_lines_flush_trigger", trigger + " must be at most dirty_cache_lines_max (" + max + ")");
        }
        String paging = top.string("metadata_cache_paging_mode", "pebble");
        if (!paging.equals("file") && !paging.equals("pebble")) {
            throw top.error("metadata_cache_paging_mode", "\"" + paging + "\" is neither file nor pebble");
        }
        for (String k : List.of("pebble_cache_size", "pebble_l0_compaction_file_threshold", "pebble_l0_stop_writes_threshold",
                "pebble_mem_table_size")) {
            top.integer(k, 0, 0, Long.MAX_VALUE);
        }
        for (String map : List.of("inode_map", "inode_eviction_queue", "phys_child_dir_entry_map", "virt_child_dir_entry_map")) {
            long keys = top.integer(map + "_keys_per_page_max", 400, 0, Long.MAX_VALUE);
            if (keys < 4 || keys % 2 != 0) {
                throw top.error(map + "_keys_per_page_max", keys + ": must be more than 3 and even, as MSFS requires");
            }
            top.integer(map + "_page_evict_low_limit", 100, 0, Long.MAX_VALUE);
            top.integer(map + "_page_evict_high_limit", 104, 0, Long.MAX_VALUE);
            top.integer(map + "_page_dirty_flush_trigger", 50, 1, Long.MAX_VALUE);
            top.integer(map + "_flushes_per_gc", 10, 0, Long.MAX_VALUE);
        }
    }

    /**
     * MSFS's {@code cache_storage}, or its deprecated aliases: {@code cache_backend} (disk:
     * per-inode-file; memory: as {@code mapped_cache} says), then {@code mapped_cache} (true:
     * mapped-file; false: ram). The first present wins, in that order.
     */
    private static CacheStorageMode cacheStorage(NodeReader top) throws ConfigException {
        boolean mapped = top.bool("mapped_cache", true);
        String backend = top.string("cache_backend", "memory");
        String storage = top.string("cache_storage", "");
        if (!storage.isEmpty()) {
            return CacheStorageMode.of(storage).orElseThrow(() -> top.error("cache_storage",
                    "unknown value \"" + storage + "\": expected ram, mapped-file or per-inode-file"));
        }
        return switch (backend) {
            case "disk" -> CacheStorageMode.PER_INODE_FILE;
            case "memory" -> mapped ? CacheStorageMode.MAPPED_FILE : CacheStorageMode.RAM;
            default -> throw top.error("cache_backend", "unknown value \"" + backend + "\": expected disk or memory");
        };
    }

    /**
     * An MSC profile config: translated to the native schema and validated like any other, with
     * values escaped so that nothing is substituted twice.
     */
    private MsfsConfig fromMsc(String source, NodeReader top) throws ConfigException {
        List<String> otelNotUsed = new ArrayList<>();
        Optional<TelemetryConfig> telemetry = TelemetrySection.read(top, new EnvSubstitution(env), otelNotUsed);
        MscProfiles.Translation t = MscProfiles.translate(top);
        String yaml = new Yaml().dump(escapeDollars(t.config()));
        MsfsConfig c = parse(source + " (MSC profiles)", new java.io.StringReader(yaml));
        List<String> notUsed = new ArrayList<>(t.notUsed());
        notUsed.addAll(otelNotUsed);
        notUsed.addAll(c.acceptedNotUsed());
        return c.toBuilder().source(source).telemetry(telemetry).acceptedNotUsed(notUsed).build();
    }

    /**
     * A parser's problem without the value it quotes: "found undefined alias SECRET…" is what
     * {@code secret_access_key: *SECRET…} gives (a value starting with '*' reads as an alias).
     */
    static String withoutValues(String problem) {
        if (problem == null) {
            return "";
        }
        return problem.startsWith("found undefined alias")
                ? "found an alias (*name) that no anchor defines; a value starting with '*' must be quoted"
                : problem.replaceAll("(alias|anchor) \\S+", "$1 (name hidden)");
    }

    @SuppressWarnings("unchecked")
    private static Object escapeDollars(Object value) {
        if (value instanceof String s) {
            return s.replace("$", "$$");
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, escapeDollars(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(ConfigLoader::escapeDollars).toList();
        }
        return value;
    }

    private BackendConfig backend(NodeReader b, int uid, int gid, long lineSize, List<String> notYetUsed) throws ConfigException {
        BACKEND_NOT_YET_USED.stream().filter(b::has).sorted().map(k -> b.path() + "." + k).forEach(notYetUsed::add);
        b.bool("flush_on_close", true); // checked as MSFS checks it; msfs always commits at close (README)
        UploadSettings uploads = uploads(b, lineSize);
        String dirName = b.string("dir_name", "");
        String typeText = b.string("backend_type", "");
        boolean readonly = b.bool("readonly", true);
        String prefix = b.string("prefix", "");
        String bucket = b.string("bucket_container_name", "");
        int backendUid = (int) b.integer("uid", uid, 0, 0xFFFF_FFFEL);
        int backendGid = (int) b.integer("gid", gid, 0, 0xFFFF_FFFEL);
        int dirPerm = b.octal("dir_perm", readonly ? "555" : "777");
        int filePerm = b.octal("file_perm", readonly ? "444" : "666");
        int pageSize = (int) b.integer("directory_page_size", 0, 0, Integer.MAX_VALUE);
        int trace = (int) b.integer("trace_level", 0, 0, 3);
        String manifestPath = b.string("manifest_path", "");
        int genWorkers = (int) b.integer("manifest_gen_workers", ManifestSettings.DEFAULT_GEN_WORKERS, 1, 10_000);
        int flatPages = (int) b.integer("flat_dir_confirmation_pages", ManifestSettings.DEFAULT_FLAT_DIR_CONFIRMATION_PAGES, 0, 1_000_000);
        List<ManifestSettings.FlatDirHint> hints = new ArrayList<>();
        for (NodeReader h : b.mappings("flat_dir_hints")) {
            String hintPath = h.requiredString("path");
            String chars = h.string("key_prefix_chars", ManifestSettings.DEFAULT_KEY_PREFIX_CHARS);
            int depth = (int) h.integer("split_depth", 1, 1, 3);
            h.rejectUnknown();
            if (!hintPath.endsWith("/") || hintPath.startsWith("/")) {
                throw h.error("path", "\"" + hintPath + "\" must be a directory below the prefix, ending in '/'");
            }
            if (chars.isEmpty() || chars.chars().anyMatch(c -> c < 0x20 || c > 0x7E)) {
                throw h.error("key_prefix_chars", "expected printable ASCII characters");
            }
            hints.add(new ManifestSettings.FlatDirHint(hintPath, chars, depth));
        }
        b.allow(java.util.Arrays.stream(BackendType.values()).map(BackendType::sectionName).collect(Collectors.toSet()));
        b.rejectUnknown(); // a misspelt key is named before the rules below trip over its absence
        if (dirName.isEmpty()) {
            throw b.missing("dir_name");
        }
        if (dirName.equals(".") || dirName.equals("..") || dirName.contains("/") || dirName.indexOf('\0') >= 0) {
            throw b.error("dir_name", "\"" + dirName + "\" cannot be a directory name");
        }
        if (typeText.isEmpty()) {
            throw b.missing("backend_type");
        }
        BackendType type = BackendType.parse(typeText).orElseThrow(() -> b.error("backend_type",
                "unknown backend_type \"" + typeText + "\": expected one of S3, AIStore, GCS, RAM, PSEUDO, LOCAL"));
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            throw b.error("prefix", "\"" + prefix + "\" must end with '/'");
        }
        // As MSFS; RAM too, whose bucket is only a name there (PSEUDO and msfs's LOCAL need none).
        if (bucket.isEmpty() && (type == BackendType.S3 || type == BackendType.AISTORE || type == BackendType.GCS
                || type == BackendType.RAM)) {
            throw b.missing("bucket_container_name");
        }
        for (BackendType other : BackendType.values()) {
            if (other != type && b.has(other.sectionName())) {
                throw b.error(other.sectionName(), "section " + other.sectionName() + " does not belong to backend_type "
                        + type.sectionName());
            }
        }
        TypeSettings settings = switch (type) {
            case PSEUDO -> pseudo(b, readonly);
            case RAM -> ram(b);
            case LOCAL -> local(b, readonly);
            case S3 -> s3(b);
            case AISTORE -> aistore(b);
            case GCS -> gcs(b);
        };
        if (!readonly && type != BackendType.S3 && type != BackendType.AISTORE) {
            b.warn("readonly", "false: msfs writes to S3 and AIStore backends only so far; this " + type.sectionName()
                    + " backend answers writes with EROFS");
        }
        if (!manifestPath.isEmpty() && !readonly) {
            // MSFS keeps a log of what writes change beside its manifest; msfs's writes do not record theirs yet.
            throw b.error("manifest_path", "a manifest is a snapshot of a read-only backend's listing; remove it or readonly: false");
        }
        Optional<ManifestSettings> manifest = manifestPath.isEmpty() ? Optional.empty()
                : Optional.of(new ManifestSettings(Path.of(expandHome(manifestPath)).toAbsolutePath().normalize(), genWorkers, flatPages,
                        hints));
        return new BackendConfig(dirName, type, bucket, prefix, readonly, backendUid, backendGid, dirPerm, filePerm,
                pageSize, trace, settings, manifest, uploads);
    }

    /**
     * The upload keys: multipart_upload_threshold_bytes (MSFS's, 64 MiB), or else the older
     * multipart_cache_line_threshold in cache lines; parts of upload_part_cache_lines lines,
     * kept within S3's 5 MiB to 5 GiB.
     */
    private static UploadSettings uploads(NodeReader b, long lineSize) throws ConfigException {
        long lines = b.integer("multipart_cache_line_threshold", 0, 0, 1L << 32);
        long threshold = b.integer("multipart_upload_threshold_bytes",
                b.has("multipart_cache_line_threshold") ? lines * lineSize : UploadSettings.DEFAULT_THRESHOLD, 0, Long.MAX_VALUE);
        long partLines = b.integer("upload_part_cache_lines", UploadSettings.DEFAULT_PART_CACHE_LINES, 1, 1L << 32);
        int concurrency = (int) b.integer("upload_part_concurrency", UploadSettings.DEFAULT_PART_CONCURRENCY, 1, 1024);
        return new UploadSettings(threshold, UploadSettings.partBytes(partLines, lineSize), concurrency);
    }

    private TypeSettings pseudo(NodeReader b, boolean readonly) throws ConfigException {
        if (!readonly) {
            throw b.error("readonly", "PSEUDO backends are read-only; remove readonly: false");
        }
        NodeReader p = section(b, BackendType.PSEUDO);
        long[] files = new long[4];
        long[] subdirs = new long[3];
        for (int d = 0; d < 4; d++) {
            files[d] = p.integer("files_at_depth_" + d, 0, 0, 0xFFFF_FFFFL);
        }
        for (int d = 0; d < 3; d++) {
            subdirs[d] = p.integer("subdirectories_at_depth_" + d, 0, 0, 0xFFFF_FFFFL);
        }
        for (int d = 1; d < 4; d++) {
            boolean reachable = true;
            for (int up = 0; up < d; up++) {
                reachable &= subdirs[up] > 0;
            }
            if (!reachable && (files[d] > 0 || (d < 3 && subdirs[d] > 0))) {
                throw p.errorHere("files or subdirectories at depth " + d + " are set, but no directory exists at depth "
                        + d + " (a subdirectories_at_depth_N above it is 0)");
            }
        }
        TypeSettings.Pseudo s = new TypeSettings.Pseudo(
                p.string("dir_name_format", "dir_%08X"), p.string("file_name_format", "file_%08X"),
                p.integer("dir_starting_number", 0, 0, 0xFFFF_FFFFL), p.integer("file_starting_number", 0, 0, 0xFFFF_FFFFL),
                p.integer("file_size", 0, 0, Long.MAX_VALUE), files, subdirs,
                (int) p.integer("max_list_page_size", 1000, 1, 1_000_000),
                Math.max(p.integer("min_latency_list_directory", 0, 0, 3_600_000),
                        p.integer("min_latency_list_objects", 0, 0, 3_600_000)),
                Math.max(p.integer("min_latency_stat_directory", 0, 0, 3_600_000),
                        p.integer("min_latency_stat_file", 0, 0, 3_600_000)),
                p.integer("min_latency_read_file", 0, 0, 3_600_000));
        p.integer("min_latency_delete_file", 0, 0, 3_600_000);
        checkFormat(p, "dir_name_format", s.dirNameFormat());
        checkFormat(p, "file_name_format", s.fileNameFormat());
        p.rejectUnknown();
        return s;
    }

    private TypeSettings ram(NodeReader b) throws ConfigException {
        NodeReader r = section(b, BackendType.RAM);
        TypeSettings.Ram s = new TypeSettings.Ram((int) r.integer("max_list_page_size", 1000, 1, 1_000_000),
                r.integer("max_total_objects", 10_000, 1, Long.MAX_VALUE),
                r.integer("max_total_object_space", 1L << 30, 1, Long.MAX_VALUE));
        r.rejectUnknown();
        return s;
    }

    private TypeSettings local(NodeReader b, boolean readonly) throws ConfigException {
        if (!readonly) {
            throw b.error("readonly", "LOCAL backends are read-only in this version; remove readonly: false");
        }
        if (!b.has(BackendType.LOCAL.sectionName())) {
            throw b.missing("LOCAL");
        }
        NodeReader l = section(b, BackendType.LOCAL);
        Path base = Path.of(expandHome(l.requiredString("base_path")));
        boolean followSymlinksOutside = l.bool("follow_symlinks_outside", false);
        l.rejectUnknown();
        return new TypeSettings.Local(base, followSymlinksOutside);
    }

    private TypeSettings s3(NodeReader b) throws ConfigException {
        if (!b.has(BackendType.S3.sectionName())) {
            throw b.missing("S3");
        }
        NodeReader s = section(b, BackendType.S3);
        boolean useConfigEnv = s.bool("use_config_env", false);
        String profile = s.string("config_credentials_profile", "${AWS_PROFILE:-default}");
        Path configFile = Path.of(expandHome(s.string("config_file_path", "${AWS_CONFIG_FILE:-~/.aws/config}")));
        String region = s.string("region", "${AWS_REGION:-us-east-1}");
        String endpoint = s.string("endpoint", "${AWS_ENDPOINT:-}");
        boolean useCredentialsEnv = s.bool("use_credentials_env", false);
        String keyId = s.string("access_key_id", useCredentialsEnv ? "" : "${AWS_ACCESS_KEY_ID:-}");
        String secret = s.string("secret_access_key", useCredentialsEnv ? "" : "${AWS_SECRET_ACCESS_KEY:-}");
        long base = s.integer("retry_base_delay", 10, 0, 3_600_000);
        double multiplier = s.decimal("retry_next_delay_multiplier", 2.0, 1.0);
        long max = s.integer("retry_max_delay", 2000, 0, 3_600_000);
        boolean anonymous = s.bool("anonymous", false);
        Path credentialsFile = Path.of(expandHome(s.string("credentials_file_path", "${AWS_SHARED_CREDENTIALS_FILE:-~/.aws/credentials}")));
        boolean skipTls = s.bool("skip_tls_certificate_verify", false);
        boolean virtualHosted = s.bool("virtual_hosted_style_request", false);
        boolean unsignedPayload = s.bool("unsigned_payload", false);
        long timeout = s.integer("request_timeout", 30_000, 100, 3_600_000);
        s.rejectUnknown(); // secret_acess_key is named as a typo, not as a missing secret_access_key
        if (useConfigEnv) { // the profile is the machine's, not the config's: as MSFS, only the backend's start needs it
            Optional<AwsConfigFile> file = AwsConfigFile.read(configFile, profile);
            if (file.isPresent()) {
                region = file.get().region().orElse(region);
                endpoint = file.get().endpointUrl().orElse(endpoint); // none: AWS's own endpoint for the region
            } else {
                s.warn("use_config_env", configFile + " has no profile \"" + profile + "\" here; the backend cannot start without it");
            }
        }
        if (!endpoint.isEmpty() && !endpoint.matches("https?://[^/?#]+(/[^?#]*)?")) {
            throw s.error("endpoint", "expected http://host[:port][/path] or https://host[:port][/path], got \"" + endpoint + "\"");
        }
        if (keyId.isEmpty() != secret.isEmpty()) {
            throw s.error(keyId.isEmpty() ? "access_key_id" : "secret_access_key",
                    "access_key_id and secret_access_key must be given together");
        }
        if (keyId.isEmpty() && s.has("access_key_id") && !anonymous) {
            // MSFS refuses this; msfs takes the default chain, as for a section without keys, but not silently.
            s.warn("access_key_id", "is written but empty (a variable that is not set?): the default credential chain is used");
        }
        if (max < base) {
            throw s.error("retry_max_delay", max + " is less than retry_base_delay (" + base + ")");
        }
        return new TypeSettings.S3(region, endpoint.replaceAll("/$", ""), keyId, secret, anonymous, useConfigEnv,
                useCredentialsEnv, profile, configFile, credentialsFile, skipTls, virtualHosted, unsignedPayload, base,
                multiplier, max, timeout);
    }

    private TypeSettings aistore(NodeReader b) throws ConfigException {
        NodeReader a = section(b, BackendType.AISTORE);
        String endpoint = a.string("endpoint", "${AIS_ENDPOINT:-}");
        // MSFS's README spells the token keys authnToken/authnTokenFile, its code authn_token/authn_token_file: take both.
        // Asked for first, so both spellings are known keys (for "did you mean"); given both, the second is refused.
        Optional<String> camelToken = a.string("authnToken");
        String token = camelToken.isPresent() ? camelToken.get() : a.string("authn_token", "${AIS_AUTHN_TOKEN:-}");
        Optional<String> camelTokenFile = a.string("authnTokenFile");
        String tokenFile = camelTokenFile.isPresent() ? camelTokenFile.get()
                : a.string("authn_token_file", "${AIS_AUTHN_TOKEN_FILE:=~/.config/ais/cli/auth.token}");
        boolean skipTls = a.bool("skip_tls_certificate_verify", false);
        String provider = a.string("provider", "s3");
        long timeout = a.integer("timeout", 30_000, 100, 3_600_000);
        String manifestGen = a.string("manifest_gen_backend", "");
        a.rejectUnknown(); // a misspelt endpoint is named as such, not as a missing one
        if (endpoint.isEmpty()) {
            // MSFS accepts it (its dev config relies on AIS_ENDPOINT); such a backend cannot start, and is skipped at mount.
            b.warn("backend_type", "AIStore has no endpoint (AIStore.endpoint, or AIS_ENDPOINT): this backend cannot start");
        } else if (!endpoint.matches("https?://[^/?#]+/?")) {
            throw a.error("endpoint", "expected http://host[:port] or https://host[:port], got \"" + endpoint + "\"");
        }
        return new TypeSettings.AIStore(endpoint.replaceAll("/$", ""), skipTls, token, Path.of(expandHome(tokenFile)), provider,
                timeout, manifestGen);
    }

    private TypeSettings gcs(NodeReader b) throws ConfigException {
        NodeReader g = section(b, BackendType.GCS);
        long base = g.integer("retry_base_delay", 10, 0, 3_600_000);
        double multiplier = g.decimal("retry_next_delay_multiplier", 2.0, 1.0);
        long max = g.integer("retry_max_delay", 2000, 0, 3_600_000);
        TypeSettings.Gcs s = new TypeSettings.Gcs(g.string("endpoint", "").replaceAll("/+$", ""), g.string("api_key", ""),
                g.bool("skip_tls_certificate_verify", false), base, multiplier, max,
                g.integer("request_timeout", 30_000, 100, 3_600_000));
        g.rejectUnknown();
        if (max < base) {
            throw g.error("retry_max_delay", max + " is less than retry_base_delay (" + base + ")");
        }
        return s;
    }

    /** manifest_gen_backend must name another configured backend that is not AIStore; a different bucket only warns. */
    private static void checkManifestRouting(List<BackendConfig> backends, List<NodeReader> readers) throws ConfigException {
        for (int i = 0; i < backends.size(); i++) {
            if (!(backends.get(i).settings() instanceof TypeSettings.AIStore a) || a.manifestGenBackend().isEmpty()) {
                continue;
            }
            NodeReader where = readers.get(i);
            String target = a.manifestGenBackend();
            if (target.equals(backends.get(i).dirName())) {
                throw where.error("AIStore", "manifest_gen_backend \"" + target + "\" names this backend itself");
            }
            BackendConfig t = backends.stream().filter(x -> x.dirName().equals(target)).findFirst().orElseThrow(
                    () -> where.error("AIStore", "manifest_gen_backend \"" + target + "\" is not a configured dir_name"));
            if (t.type() == BackendType.AISTORE) {
                throw where.error("AIStore", "manifest_gen_backend \"" + target + "\" is another AIStore backend; it must list from elsewhere (e.g. S3)");
            }
            if (!t.bucketContainerName().equals(backends.get(i).bucketContainerName()) || !t.prefix().equals(backends.get(i).prefix())) {
                where.warn("AIStore", "manifest_gen_backend " + target + " lists a different bucket or prefix");
            }
        }
    }

    private NodeReader section(NodeReader b, BackendType type) throws ConfigException {
        return b.mapping(type.sectionName()).orElse(NodeReader.root(b.path(), emptyMapping(), new EnvSubstitution(env),
                new UnknownKeys(true))); // empty: no key to be unknown
    }

    private static Node emptyMapping() {
        return new Yaml().compose(new java.io.StringReader("{}"));
    }

    private static void checkFormat(NodeReader p, String key, String format) throws ConfigException {
        try {
            String.format(format, 0L);
        } catch (java.util.IllegalFormatException e) {
            throw p.error(key, "\"" + format + "\" is not a format for one number (such as \"file_%08X\")");
        }
    }

    private String expandHome(String path) {
        if (path.equals("~") || path.startsWith("~/")) {
            return env.getOrDefault("HOME", System.getProperty("user.home")) + path.substring(1);
        }
        return path;
    }

}
