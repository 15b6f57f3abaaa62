package dev.msfs.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The Multi-Storage Client's profile format ({@code msfs_version: 0} or absent), translated into
 * the native schema: each profile becomes a backend named after it. {@code s3}/{@code s8k}
 * become S3 ({@code base_path} "bucket/some/prefix", {@code endpoint_url}, {@code region_name},
 * {@code S3Credentials} keys); {@code file} becomes LOCAL; {@code ais} becomes AIStore.
 * {@code posix.mountname|mountpoint|allow_other|auto_sighup_interval} carry over. Everything MSC
 * has that msfs does not use is reported as accepted, not yet used.
 */
final class MscProfiles {
    private static final Logger LOG = Logger.getLogger(MscProfiles.class.getName());
    private static final Set<String> TOP_NOT_USED = Set.of("cache", "path_mapping", "experimental_features");
    private static final Set<String> POSIX_KEYS = Set.of("mountname", "mountpoint", "allow_other", "auto_sighup_interval");
    private static final Set<String> PROFILE_NOT_USED = Set.of("metadata_provider", "provider_bundle", "replicas", "retry",
            "caching_enabled", "autocommit");

    private MscProfiles() {
    }

    /** The native config as a YAML-ready map, plus the key paths accepted but not used. */
    record Translation(Map<String, Object> config, List<String> notUsed) {
    }

    static Translation translate(NodeReader top) throws ConfigException {
        List<String> notUsed = new ArrayList<>(top.accept(TOP_NOT_USED));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("msfs_version", 1);
        top.integer("msfs_version", 0, 0, 0);
        var posix = top.mapping("posix");
        if (posix.isPresent()) {
            for (String k : POSIX_KEYS) {
                var v = posix.get().string(k);
                if (v.isPresent()) {
                    out.put(k, v.get());
                }
            }
            posix.get().rejectUnknown();
        }
        NodeReader profiles = top.mapping("profiles").orElseThrow(() -> top.missing("profiles"));
        List<Map<String, Object>> backends = new ArrayList<>();
        for (String name : List.copyOf(profiles.keys())) {
            NodeReader profile = profiles.mapping(name).orElseThrow(() -> profiles.error(name, "expected a mapping"));
            notUsed.addAll(profile.accept(PROFILE_NOT_USED));
            NodeReader provider = profile.mapping("storage_provider").orElseThrow(() -> profile.missing("storage_provider"));
            String type = provider.requiredString("type");
            NodeReader options = provider.mapping("options").orElseThrow(() -> provider.missing("options"));
            String basePath = options.requiredString("base_path");
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("dir_name", name);
            switch (type) {
                case "s3", "s8k" -> {
                    b.put("backend_type", "S3");
                    splitBucket(basePath, b);
                    Map<String, Object> s3 = new LinkedHashMap<>();
                    options.string("region_name").ifPresent(v -> s3.put("region", v));
                    options.string("endpoint_url").ifPresent(v -> s3.put("endpoint", v));
                    var credentials = profile.mapping("credentials_provider");
                    if (credentials.isPresent()) {
                        NodeReader c = credentials.get();
                        String ctype = c.requiredString("type");
                        if (!ctype.equals("S3Credentials")) {
                            throw c.error("type", "credentials_provider type \"" + ctype + "\" is not supported: expected S3Credentials");
                        }
                        NodeReader co = c.mapping("options").orElseThrow(() -> c.missing("options"));
                        s3.put("access_key_id", co.requiredString("access_key"));
                        s3.put("secret_access_key", co.requiredString("secret_key"));
                        notUsed.addAll(co.accept(Set.copyOf(co.keys())));
                        co.rejectUnknown();
                        c.rejectUnknown();
                    }
                    b.put("S3", s3);
                }
                case "file" -> {
                    b.put("backend_type", "LOCAL");
                    b.put("LOCAL", Map.of("base_path", basePath));
                }
                case "ais" -> {
                    b.put("backend_type", "AIStore");
                    splitBucket(basePath, b);
                }
                default -> {
                    LOG.info(() -> "profile " + name + ": storage_provider type " + type + " is not mounted by msfs");
                    notUsed.add(profiles.path() + "." + name + " (type " + type + ")");
                    profile.accept(Set.of("credentials_provider"));
                    continue;
                }
            }
            notUsed.addAll(options.accept(Set.copyOf(options.keys())));
            provider.rejectUnknown();
            profile.rejectUnknown();
            backends.add(b);
        }
        top.rejectUnknown();
        if (backends.isEmpty()) {
            throw top.error("profiles", "no profile msfs can mount (types s3, s8k, file, ais)");
        }
        out.put("backends", backends);
        return new Translation(out, notUsed);
    }

    /** "bucket/some/prefix" → bucket_container_name "bucket", prefix "some/prefix/". */
    private static void splitBucket(String basePath, Map<String, Object> b) {
        String trimmed = basePath.replaceAll("^/+|/+$", "");
        int slash = trimmed.indexOf('/');
        b.put("bucket_container_name", slash < 0 ? trimmed : trimmed.substring(0, slash));
        if (slash >= 0) {
            b.put("prefix", trimmed.substring(slash + 1) + "/");
        }
    }
}
