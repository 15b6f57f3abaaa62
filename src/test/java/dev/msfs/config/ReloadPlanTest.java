package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReloadPlanTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of(), 0, 0);
    private static final String HEAD = "msfs_version: 1\nbackends:\n";
    private static final String A = "  - {dir_name: a, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2}}\n";
    private static final String B = "  - {dir_name: b, backend_type: RAM, bucket_container_name: b}\n";
    private static final String S3 = "  - {dir_name: s, backend_type: S3, bucket_container_name: one, S3: {endpoint: \"http://h:1\"}}\n";

    private MsfsConfig cfg(String yaml) throws ConfigException {
        return loader.parse("c.yaml", new StringReader(yaml));
    }

    @Test
    void backendsMayComeAndGo() throws ConfigException {
        ReloadPlan p = ReloadPlan.between(cfg(HEAD + A), cfg(HEAD + A + B));
        assertEquals(List.of("b"), p.added().stream().map(BackendConfig::dirName).toList());
        assertTrue(p.removed().isEmpty());
        p = ReloadPlan.between(cfg(HEAD + A + B), cfg(HEAD + B));
        assertEquals(List.of("a"), p.removed().stream().map(BackendConfig::dirName).toList());
        assertTrue(ReloadPlan.between(cfg(HEAD + A), cfg(HEAD + A)).isEmpty());
    }

    @Test
    void everythingElseIsRefusedNamingTheField() throws ConfigException {
        assertTrue(refusal(HEAD + A, "cache_lines: 64\n" + HEAD + A).contains("cache_lines cannot change while mounted"));
        assertTrue(refusal(HEAD + A, HEAD + A.replace("files_at_depth_0: 2", "files_at_depth_0: 3"))
                .contains("backends[a].(type section).files_at_depth"));
        assertTrue(refusal(HEAD + S3, HEAD + S3.replace("one", "two")).contains("backends[s].bucket_container_name"));
        assertTrue(refusal(HEAD + S3, HEAD + S3.replace("http://h:1", "http://h:2")).contains("backends[s].(type section).endpoint"));
        assertTrue(refusal(HEAD + B, HEAD + B.replace("bucket_container_name: b}", "bucket_container_name: b, prefix: p/}")).contains("backends[b].prefix"));
        assertTrue(refusal(HEAD + A, HEAD + A.replace("dir_name: a, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2}",
                "dir_name: a, backend_type: RAM, bucket_container_name: b")).contains("backends[a].backend_type"));
    }

    private String refusal(String running, String next) throws ConfigException {
        MsfsConfig r = cfg(running);
        MsfsConfig n = cfg(next);
        return assertThrows(ConfigException.class, () -> ReloadPlan.between(r, n)).getMessage();
    }
}
