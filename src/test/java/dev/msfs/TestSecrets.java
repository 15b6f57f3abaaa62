package dev.msfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The secrets tests give msfs, from test-secrets.properties, so that {@link SecretScan} knows them all. */
public final class TestSecrets {
    private static final Map<String, String> ALL = load();
    public static final String S3PROXY = get("s3proxy");
    public static final String MOTO = get("moto");
    public static final String AIS_TOKEN = get("ais_token");
    public static final String HOSTILE_FILE = get("hostile_file");
    public static final String RELOAD = get("reload");
    public static final String CLI = get("cli");
    public static final String AWS_FILE = get("aws_file");
    public static final String ENV_SUBSTITUTED = get("env_substituted");
    public static final String CONFIG_ALIAS = get("config_alias");
    public static final String GCS_API_KEY = get("gcs_api_key");

    private TestSecrets() {
    }

    /** Every secret by name. */
    public static Map<String, String> all() {
        return ALL;
    }

    private static String get(String name) {
        String v = ALL.get(name);
        if (v == null) {
            throw new IllegalStateException("test-secrets.properties has no " + name);
        }
        return v;
    }

    private static Map<String, String> load() {
        Properties p = new Properties();
        try (InputStream in = TestSecrets.class.getResourceAsStream("/test-secrets.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> m = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return Map.copyOf(m);
    }
}
