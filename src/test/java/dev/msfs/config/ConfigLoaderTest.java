package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String PSEUDO = """
            msfs_version: 1
            backends:
              - dir_name: p
                backend_type: PSEUDO
                PSEUDO: {files_at_depth_0: 3, subdirectories_at_depth_0: 2, files_at_depth_1: 1, file_size: 100}
            """;

    private final ConfigLoader loader = new ConfigLoader(Map.of("HOME", "/home/u", "BUCKET", "data"), 1000, 1000);

    private MsfsConfig parse(String yaml) throws ConfigException {
        return loader.parse("test.yaml", new StringReader(yaml));
    }

    private String error(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void defaultsFollowMsfs() throws ConfigException {
        MsfsConfig c = parse(PSEUDO);
        assertEquals("msfs", c.mountname());
        assertEquals("/mnt", c.mountpoint());
        assertEquals(0555, c.dirPerm());
        assertTrue(c.allowOther());
        assertEquals(10_000, c.entryAttrTtlMillis());
        assertEquals(1000, c.uid());
        BackendConfig b = c.backends().getFirst();
        assertEquals("p", b.dirName());
        assertTrue(b.readonly());
        assertEquals(0555, b.dirPerm());
        assertEquals(0444, b.filePerm());
        TypeSettings.Pseudo p = assertInstanceOf(TypeSettings.Pseudo.class, b.settings());
        assertArrayEquals(new long[] {3, 1, 0, 0}, p.filesAtDepth());
        assertEquals("file_%08X", p.fileNameFormat());
    }

    /**
     * Shaped as MSFS's own dev config: a flow sequence of flow mappings with trailing commas, an
     * AIStore endpoint from AIS_ENDPOINT, an S3 backend reading the machine's AWS profile, GCS,
     * RAM and PSEUDO side by side. A profile this machine lacks does not refuse the config (MSFS
     * reads it only when the backend starts); that backend's start does.
     */
    @Test
    void msfsDevConfigShapesLoadAndAMissingAwsProfileFailsOnlyItsBackend(@TempDir Path dir) throws Exception {
        MsfsConfig c = parse("""
                msfs_version: 1
                endpoint: "http://:9088"
                backends: [
                  {
                    dir_name: ais,
                    bucket_container_name: dev,
                    backend_type: AIStore,
                    AIStore: {endpoint: "${AIS_ENDPOINT:-http://ais:51080}"},
                  },
                  {
                    dir_name: aisS3,
                    bucket_container_name: dev,
                    backend_type: S3,
                    S3: {
                      use_config_env: true,
                      use_credentials_env: true,
                      config_file_path: "%s",
                    },
                  },
                  {dir_name: gcs, bucket_container_name: dev, backend_type: GCS, GCS: {endpoint: "http://fake-gcs:4443"}},
                  {dir_name: ram, bucket_container_name: dev, backend_type: RAM},
                  {dir_name: pseudo, bucket_container_name: dev, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 3,
                    subdirectories_at_depth_0: 2}},
                ]
                """.formatted(dir.resolve("no-such-aws-config")));
        assertEquals(List.of("ais", "aisS3", "gcs", "ram", "pseudo"), c.backends().stream().map(BackendConfig::dirName).toList());
        TypeSettings.S3 s3 = (TypeSettings.S3) c.backends().get(1).settings();
        dev.msfs.backend.BackendException refused = assertThrows(dev.msfs.backend.BackendException.class,
                () -> new dev.msfs.backend.s3.S3Connection(s3, "dev"));
        assertTrue(refused.getMessage().contains("has no profile \"default\""), refused.getMessage());
    }

    /**
     * What MSFS's CSI driver renders for IRSA (an S3 section without keys: the pod's web identity
     * provides them) is accepted, as MSFS's validation wrongly does not, and reaches CRT's default
     * credential chain (no static keys, no profile files).
     */
    @Test
    void anS3SectionWithoutKeysUsesTheDefaultCredentialChain() throws ConfigException {
        MsfsConfig c = parse("""
                msfs_version: 1
                mountpoint: /mnt/datasets
                backends:
                  - dir_name: data
                    backend_type: S3
                    bucket_container_name: training-data
                    prefix: imagenet/
                    readonly: true
                    S3:
                      region: us-west-2
                """);
        TypeSettings.S3 s3 = (TypeSettings.S3) c.backends().get(0).settings();
        assertEquals("", s3.accessKeyId());
        assertEquals("", s3.secretAccessKey());
        assertFalse(s3.anonymous() || s3.useCredentialsEnv() || s3.useConfigEnv(), s3.toString());
        assertEquals("us-west-2", s3.region());
    }

    @Test
    void jsonIsReadByExtensionToo(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\n\t\"msfs_version\": 1,\n\t\"mountpoint\": \"/x\",\n\t\"backends\": [{\"dir_name\": \"l\","
                + " \"backend_type\": \"LOCAL\", \"LOCAL\": {\"base_path\": \"~/data\"}}]\n}\n");
        MsfsConfig c = loader.load(f);
        assertEquals("/x", c.mountpoint());
        assertEquals(new TypeSettings.Local(Path.of("/home/u/data"), false), c.backends().getFirst().settings());
    }

    @Test
    void otherExtensionsAreRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.toml");
        Files.writeString(f, PSEUDO);
        assertTrue(assertThrows(ConfigException.class, () -> loader.load(f)).getMessage().contains(".yaml, .yml or .json"));
    }

    @Test
    void variablesAreSubstitutedInValues() throws ConfigException {
        MsfsConfig c = parse("""
                msfs_version: 1
                mountpoint: ${MNT:=/mnt/${BUCKET}}
                entry_attr_ttl: ${TTL:-2500}
                backends:
                  - {dir_name: "$BUCKET", backend_type: RAM, bucket_container_name: b}
                """);
        assertEquals("/mnt/data", c.mountpoint());
        assertEquals(2500, c.entryAttrTtlMillis());
        assertEquals("data", c.backends().getFirst().dirName());
    }

    @Test
    void mountpointFromEnvironmentWins() throws ConfigException {
        ConfigLoader withEnv = new ConfigLoader(Map.of("MSFS_MOUNTPOINT", "/elsewhere"), 0, 0);
        assertEquals("/elsewhere", withEnv.parse("t.yaml", new StringReader(PSEUDO)).mountpoint());
    }

    @Test
    void octalPermissionsInEveryWriting() throws ConfigException {
        MsfsConfig c = parse("""
                msfs_version: 1
                dir_perm: 0750
                backends:
                  - {dir_name: a, backend_type: RAM, bucket_container_name: b, dir_perm: "700", file_perm: 640}
                """);
        assertEquals(0750, c.dirPerm());
        assertEquals(0700, c.backends().getFirst().dirPerm());
        assertEquals(0640, c.backends().getFirst().filePerm());
    }

    @Test
    void unknownKeysAreWarningsWithASuggestionAndErrorsWhenStrict() throws ConfigException {
        MsfsConfig c = parse(PSEUDO + "entry_atr_ttl: 5\n");
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().getFirst().startsWith("test.yaml:6: entry_atr_ttl: unknown key (did you mean \"entry_attr_ttl\"?)"
                + " (ignored, as MSFS ignores it"), c.warnings().toString());
        assertEquals(ConfigLoader.DEFAULT_ENTRY_ATTR_TTL_MILLIS, c.entryAttrTtlMillis(), "the misspelt key is not taken");
        String m = assertThrows(ConfigException.class, () -> loader.strict().parse("test.yaml",
                new StringReader(PSEUDO.replace("file_size", "file_sise")))).getMessage();
        assertTrue(m.contains("backends[0].PSEUDO.file_sise: unknown key (did you mean \"file_size\"?)"), m);
        m = assertThrows(ConfigException.class, () -> parse("strict: true\n" + PSEUDO + "entry_atr_ttl: 5\n")).getMessage();
        assertTrue(m.contains("entry_atr_ttl: unknown key"), "strict: true in the file refuses it too: " + m);
        // Not strict, a misspelt key that a later rule trips over is named first.
        m = error("msfs_version: 1\nbackends:\n  - {dir_name: s, backend_type: S3, bucket_container_name: b,\n"
                + "     S3: {access_key_id: AKIA, secret_acess_key: x}}\n");
        assertTrue(m.startsWith("test.yaml:4: backends[0].S3.secret_acess_key: unknown key (did you mean \"secret_access_key\"?)")
                && m.contains("; and then: ") && m.contains("must be given together"), m);
    }

    @Test
    void msfsKeysNotActedOnAreReportedNotIgnored() throws ConfigException {
        MsfsConfig c = parse(PSEUDO + "pebble_cache_size: 1024\n");
        assertEquals(java.util.List.of("pebble_cache_size"), c.acceptedNotUsed());
    }

    /** cache_storage wins over cache_backend, which wins over mapped_cache; MSFS's default is mapped-file. */
    @Test
    void cacheStorageAndItsDeprecatedAliases() throws ConfigException {
        assertEquals(CacheStorageMode.MAPPED_FILE, parse(PSEUDO).cacheStorage());
        assertEquals(Path.of("/var/tmp"), parse(PSEUDO).cacheDirPath());
        assertEquals(Path.of("/nvme/cache"), parse(PSEUDO + "cache_dir_path: /nvme/cache\n").cacheDirPath());
        assertEquals(CacheStorageMode.RAM, parse(PSEUDO + "mapped_cache: false\n").cacheStorage());
        assertEquals(CacheStorageMode.RAM, parse(PSEUDO + "cache_backend: memory\nmapped_cache: false\n").cacheStorage());
        assertEquals(CacheStorageMode.MAPPED_FILE, parse(PSEUDO + "cache_backend: memory\n").cacheStorage());
        assertEquals(CacheStorageMode.MAPPED_FILE,
                parse(PSEUDO + "cache_storage: mapped-file\ncache_backend: disk\nmapped_cache: false\n").cacheStorage());
        assertEquals(CacheStorageMode.RAM, parse(PSEUDO + "cache_storage: ram\ncache_backend: disk\n").cacheStorage());
        assertEquals(CacheStorageMode.PER_INODE_FILE, parse(PSEUDO + "cache_backend: disk\nmapped_cache: true\n").cacheStorage());
        assertEquals(CacheStorageMode.PER_INODE_FILE, parse(PSEUDO + "cache_storage: per-inode-file\n").cacheStorage());
        assertTrue(error(PSEUDO + "cache_storage: ram\ncache_lines: 1024\n").contains("exceeds process_memory_limit"));
        assertEquals(1024, parse(PSEUDO + "cache_lines: 1024\n").cacheLines(), "a cache on disk does not count against memory");
    }

    /**
     * The upload keys: multipart_upload_threshold_bytes wins over the older
     * multipart_cache_line_threshold (in cache lines), MSFS's 64 MiB otherwise; parts of
     * upload_part_cache_lines lines within S3's 5 MiB to 5 GiB; write_deferral_max_bytes is 1 GiB.
     */
    @Test
    void uploadKeysAndTheirPrecedence() throws ConfigException {
        String rw = """
                msfs_version: 1
                cache_line_size: 1048576
                backends:
                  - {dir_name: w, backend_type: RAM, bucket_container_name: b, %s}
                """;
        MsfsConfig c = parse(rw.formatted(""));
        assertEquals(new UploadSettings(64L << 20, 32L << 20, 32), c.backends().getFirst().uploads());
        assertEquals(1L << 30, c.writeDeferralMaxBytes());
        assertEquals(100L << 20, parse(rw.formatted("multipart_cache_line_threshold: 100")).backends().getFirst().uploads()
                .thresholdBytes());
        assertEquals(7, parse(rw.formatted("multipart_cache_line_threshold: 100, multipart_upload_threshold_bytes: 7"))
                .backends().getFirst().uploads().thresholdBytes());
        assertEquals(new UploadSettings(64L << 20, 5L << 20, 2),
                parse(rw.formatted("upload_part_cache_lines: 1, upload_part_concurrency: 2")).backends().getFirst().uploads(),
                "a part is never below S3's 5 MiB");
        assertEquals(5L << 30, UploadSettings.partBytes(1L << 40, 1L << 32), "nor above its 5 GiB");
        assertEquals(0, parse(rw.formatted("") + "write_deferral_max_bytes: 0\n").writeDeferralMaxBytes());
        assertTrue(error(rw.formatted("upload_part_concurrency: 0")).contains("upload_part_concurrency"));
        assertTrue(error(rw.formatted("multipart_upload_threshold_bytes: -1")).contains("multipart_upload_threshold_bytes"));
        assertEquals(List.of(), c.acceptedNotUsed(), "the upload keys are acted on");
    }

    @Test
    void cacheGeometry() throws ConfigException {
        MsfsConfig c = parse(PSEUDO);
        assertEquals(10 << 20, c.cacheLineSize());
        assertEquals(128, c.cacheLines());
        assertEquals(4, c.cacheLinesToPrefetch());
        assertFalse(c.directIo());
        assertTrue(error(PSEUDO + "cache_line_size: 5000\n").contains("not a multiple of 4096"));
        assertTrue(error(PSEUDO + "cache_lines: 4\ncache_lines_to_prefetch: 4\n").contains("must be less than cache_lines"));
        assertTrue(parse(PSEUDO + "direct_io: true\n").directIo());
    }

    @Test
    void errorsNameFileLineAndKeyPath() {
        assertEquals("test.yaml:4: backends[0].backend_type: unknown backend_type \"S4\": expected one of S3, AIStore, GCS,"
                + " RAM, PSEUDO, LOCAL", error(PSEUDO.replace("PSEUDO\n", "S4\n")));
        assertTrue(error(PSEUDO.replace("file_size: 100", "file_size: -1")).contains("file_size: -1 is out of range"));
        assertTrue(error(PSEUDO.replace("file_size: 100", "file_size: big")).contains("expected a whole number, got \"big\""));
        assertTrue(error(PSEUDO + "dir_perm: \"999\"\n").contains("dir_perm: expected octal"));
        assertTrue(error(PSEUDO + "allow_other: maybe\n").contains("allow_other: expected true or false"));
    }

    @Test
    void structuralRules() {
        assertTrue(error(PSEUDO + "  - {dir_name: p, backend_type: RAM, bucket_container_name: b}\n").contains("is used by another backend"));
        assertTrue(error("msfs_version: 1\nbackends: []\n").contains("at least one backend"));
        assertTrue(error(PSEUDO.replace("msfs_version: 1", "msfs_version: 3")).contains("unknown version 3"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: RAM, bucket_container_name: b, prefix: x}\n")
                .contains("prefix: \"x\" must end with '/'"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: S3}\n")
                .contains("backends[0].bucket_container_name: required key is missing"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: RAM, bucket_container_name: b, PSEUDO: {}}\n")
                .contains("section PSEUDO does not belong to backend_type RAM"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: .., backend_type: RAM, bucket_container_name: b}\n")
                .contains("cannot be a directory name"));
        assertTrue(error(PSEUDO.replace("backend_type: PSEUDO", "backend_type: PSEUDO\n    readonly: false"))
                .contains("PSEUDO backends are read-only"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: PSEUDO, PSEUDO: {files_at_depth_1: 2}}\n")
                .contains("no directory exists at depth 1"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: RAM, bucket_container_name: b, RAM: {max_total_objects: 0}}\n")
                .contains("max_total_objects: 0 is out of range"));
        assertTrue(error("msfs_version: 1\nbackends:\n  - {dir_name: a, backend_type: LOCAL}\n")
                .contains("backends[0].LOCAL: required key is missing"));
    }

    @Test
    void syntaxErrorsGiveTheLineButNeverTheText() {
        String m = error("msfs_version: 1\nbackends:\n  - dir_name: a\n    secret_access_key: \"" + TestSecrets.CONFIG_ALIAS + "\n    x: [\n");
        assertTrue(m.startsWith("test.yaml:"), m);
        assertTrue(m.contains("not valid YAML/JSON"), m);
        assertFalse(m.contains(TestSecrets.CONFIG_ALIAS), m);
    }

    @Test
    void emptyFileAndNonMapping() {
        assertTrue(error("").contains("empty"));
        assertTrue(error("- a\n- b\n").contains("must be a mapping"));
        assertTrue(error(PSEUDO + "mountname: [a]\n").contains("mountname: expected a single value"));
    }

    /** MSFS's own config tests write flow mappings with tabs between tokens, which Go's parser takes. */
    @Test
    void tabsBetweenTokensAreSpacesAsInGoYaml(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tabs.yaml");
        Files.writeString(f, "msfs_version: 1\nmountname:\t\"a\ttab\"\nbackends:\n  - {dir_name:\tp,\tbackend_type:\tPSEUDO,"
                + "\tPSEUDO:\t{ file_size: 10 } }\n");
        MsfsConfig c = loader.load(f);
        assertEquals("p", c.backends().getFirst().dirName());
        assertEquals("a\ttab", c.mountname(), "a tab inside quotes is kept");
        Path indented = dir.resolve("indented.yaml");
        Files.writeString(indented, "msfs_version: 1\nbackends:\n\t- {dir_name: p, backend_type: PSEUDO}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(indented));
        assertTrue(e.getMessage().contains("indented.yaml:3: not valid YAML/JSON"), e.getMessage());
        // MSFS's config_test.go (TestInternalGoodYAMLConfig): tab-indented lines inside a flow sequence, which Go takes.
        Path flow = dir.resolve("flow.yaml");
        Files.writeString(flow, "msfs_version: 1\nbackends: [ # a comment's [ opens nothing\n  {\n    dir_name: s3,\n"
                + "    bucket_container_name: test,\n    backend_type: S3,\n\tS3: {\n\t  region: us-east-1,\n"
                + "\t  endpoint: \"http://minio:9000\",\n\t  access_key_id: a,\n\t  secret_access_key: b,\n\t},\n  },\n]\n");
        assertEquals("us-east-1", ((TypeSettings.S3) loader.load(flow).backends().getFirst().settings()).region());
        Path scalar = dir.resolve("scalar.yaml");
        Files.writeString(scalar, "msfs_version: 1\nmountname: a[0\nbackends:\n\t- {dir_name: p, backend_type: PSEUDO}\n");
        assertTrue(assertThrows(ConfigException.class, () -> loader.load(scalar)).getMessage().contains("scalar.yaml:4: not valid"),
                "a bracket inside a plain scalar opens nothing: the block line's tab indentation is still refused");
    }

    /** MSFS's dev config leaves the AIStore endpoint to AIS_ENDPOINT: unset, it is a warning there, and that backend cannot start. */
    @Test
    void anAIStoreWithoutEndpointIsAWarningAndCannotStart() throws Exception {
        MsfsConfig c = parse("""
                msfs_version: 1
                backends:
                  - {dir_name: ais, bucket_container_name: dev, backend_type: AIStore, AIStore: {endpoint: "${AIS_ENDPOINT}"}}
                  - {dir_name: p, backend_type: PSEUDO}
                """);
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().getFirst().startsWith("test.yaml:3: backends[0].backend_type: AIStore has no endpoint"),
                c.warnings().toString());
        ConfigException e = assertThrows(ConfigException.class, () -> dev.msfs.backend.BackendFactory.create(c.backends().getFirst()));
        assertEquals("backend \"ais\": no AIStore endpoint: set AIStore.endpoint or AIS_ENDPOINT", e.getMessage());
    }

    /** What MSFS's CSI driver renders for static keys, with the variables unset: MSFS refuses it; msfs warns and takes the chain. */
    @Test
    void keysWrittenButEmptyAreAWarning() throws Exception {
        MsfsConfig c = parse("""
                msfs_version: 1
                backends:
                  - {dir_name: s, bucket_container_name: b, backend_type: S3,
                     S3: {access_key_id: "${AWS_ACCESS_KEY_ID}", secret_access_key: "${AWS_SECRET_ACCESS_KEY}"}}
                """);
        assertEquals(1, c.warnings().size(), c.warnings().toString());
        assertTrue(c.warnings().getFirst().contains("backends[0].S3.access_key_id: is written but empty"), c.warnings().toString());
    }
}
