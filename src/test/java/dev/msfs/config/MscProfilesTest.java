package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MscProfilesTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("SECRET", TestSecrets.ENV_SUBSTITUTED), 1000, 1000);

    private static final String MSC = """
            profiles:
              train:
                storage_provider:
                  type: s3
                  options:
                    base_path: my-bucket/datasets/imagenet
                    region_name: us-west-2
                    endpoint_url: http://127.0.0.1:9000
                    multipart_threshold: 16777216
                credentials_provider:
                  type: S3Credentials
                  options:
                    access_key: AKIAEXAMPLE
                    secret_key: ${SECRET}
              local:
                storage_provider:
                  type: file
                  options:
                    base_path: /data
              elsewhere:
                storage_provider:
                  type: gcs
                  options: {base_path: bucket}
            posix:
              mountpoint: /mnt/msc
              allow_other: false
            cache:
              size: 10G
            """;

    @Test
    void profilesBecomeBackends() throws ConfigException {
        MsfsConfig c = loader.parse("msc.yaml", new StringReader(MSC));
        assertEquals("/mnt/msc", c.mountpoint());
        assertEquals(false, c.allowOther());
        assertEquals(List.of("train", "local"), c.backends().stream().map(BackendConfig::dirName).toList());
        BackendConfig train = c.backends().get(0);
        assertEquals(BackendType.S3, train.type());
        assertEquals("my-bucket", train.bucketContainerName());
        assertEquals("datasets/imagenet/", train.prefix());
        TypeSettings.S3 s3 = (TypeSettings.S3) train.settings();
        assertEquals("us-west-2", s3.region());
        assertEquals("http://127.0.0.1:9000", s3.endpoint());
        assertEquals("AKIAEXAMPLE", s3.accessKeyId());
        assertEquals(TestSecrets.ENV_SUBSTITUTED, s3.secretAccessKey()); // substituted once, '$' kept
        assertEquals(Path.of("/data"), ((TypeSettings.Local) c.backends().get(1).settings()).basePath());
        assertTrue(c.acceptedNotUsed().contains("cache"), c.acceptedNotUsed().toString());
        assertTrue(c.acceptedNotUsed().contains("profiles.elsewhere (type gcs)"), c.acceptedNotUsed().toString());
        assertTrue(c.acceptedNotUsed().contains("profiles.train.storage_provider.options.multipart_threshold"),
                c.acceptedNotUsed().toString());
        assertTrue(c.acceptedNotUsed().stream().noneMatch(k -> k.endsWith("base_path") || k.endsWith("region_name")
                || k.endsWith("endpoint_url") || k.endsWith("access_key") || k.endsWith("secret_key")), c.acceptedNotUsed().toString());
    }

    @Test
    void mistakesNameTheProfileKey() {
        String m = assertThrows(ConfigException.class, () -> loader.parse("msc.yaml",
                new StringReader(MSC.replace("base_path: /data", "path: /data")))).getMessage();
        assertTrue(m.contains("profiles.local.storage_provider.options.base_path: required key is missing"), m);
        m = assertThrows(ConfigException.class, () -> loader.parse("msc.yaml",
                new StringReader(MSC.replace("type: S3Credentials", "type: StaticCreds")))).getMessage();
        assertTrue(m.contains("credentials_provider type \"StaticCreds\" is not supported"), m);
        m = assertThrows(ConfigException.class, () -> loader.parse("msc.yaml", new StringReader("posix: {mountpoint: /m}\n")))
                .getMessage();
        assertTrue(m.contains("profiles: required key is missing"), m);
    }
}
