package dev.msfs.config;

import java.nio.file.Path;

/** The settings section that belongs to a backend's {@code backend_type}. */
public sealed interface TypeSettings {
    /**
     * The section as resolved, under the config's own key names, in the file's order of keys;
     * secrets show as "(redacted)". What check-config prints and logs show: never a secret.
     */
    java.util.Map<String, Object> keys();

    private static String redacted(String secret) {
        return secret.isEmpty() ? "" : "(redacted)";
    }

    private static java.util.Map<String, Object> ordered(Object... keyValues) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Synthetic read-only tree with deterministic content (see backend.PseudoBackend). */
    record Pseudo(String dirNameFormat, String fileNameFormat, long dirStartingNumber, long fileStartingNumber,
                  long fileSize, long[] filesAtDepth, long[] subdirectoriesAtDepth, int maxListPageSize,
                  long minLatencyListMillis, long minLatencyStatMillis, long minLatencyReadMillis)
            implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("dir_name_format", dirNameFormat, "file_name_format", fileNameFormat, "dir_starting_number",
                    dirStartingNumber, "file_starting_number", fileStartingNumber, "file_size", fileSize,
                    "files_at_depth", java.util.Arrays.stream(filesAtDepth).boxed().toList(), "subdirectories_at_depth",
                    java.util.Arrays.stream(subdirectoriesAtDepth).boxed().toList(), "max_list_page_size", maxListPageSize,
                    "min_latency_list", minLatencyListMillis, "min_latency_stat", minLatencyStatMillis, "min_latency_read",
                    minLatencyReadMillis);
        }

        @Override
        public String toString() {
            return "PSEUDO" + keys();
        }
    }

    /** In-memory objects (filled by tests through the Java API). */
    record Ram(int maxListPageSize, long maxTotalObjects, long maxTotalObjectSpace) implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("max_list_page_size", maxListPageSize, "max_total_objects", maxTotalObjects,
                    "max_total_object_space", maxTotalObjectSpace);
        }
    }

    /** A directory on disk presented read-only; links leaving it are hidden unless {@code followSymlinksOutside}. */
    record Local(Path basePath, boolean followSymlinksOutside) implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("base_path", basePath.toString(), "follow_symlinks_outside", followSymlinksOutside);
        }
    }

    /**
     * An S3 or S3-compatible store. Credentials: static keys when {@code accessKeyId} is set,
     * else the shared credentials file when {@code useCredentialsEnv}, else none when
     * {@code anonymous}, else AWS CRT's default chain (environment, profile files, web identity,
     * container and instance metadata).
     *
     * @param endpoint          "" for AWS itself, else a URL such as http://127.0.0.1:9000
     * @param requestTimeoutMillis deadline of every request, retries included (msfs's own key)
     */
    record S3(String region, String endpoint, String accessKeyId, String secretAccessKey, boolean anonymous,
              boolean useConfigEnv, boolean useCredentialsEnv, String profile, Path configFile, Path credentialsFile,
              boolean skipTlsCertificateVerify, boolean virtualHostedStyle, boolean unsignedPayload,
              long retryBaseDelayMillis, double retryNextDelayMultiplier, long retryMaxDelayMillis,
              long requestTimeoutMillis) implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("region", region, "endpoint", endpoint, "access_key_id", accessKeyId.isEmpty() ? ""
                            : accessKeyId.substring(0, Math.min(4, accessKeyId.length())) + "…",
                    "secret_access_key", redacted(secretAccessKey), "anonymous", anonymous, "use_config_env", useConfigEnv,
                    "use_credentials_env", useCredentialsEnv, "config_credentials_profile", profile, "config_file_path",
                    configFile.toString(), "credentials_file_path", credentialsFile.toString(), "skip_tls_certificate_verify",
                    skipTlsCertificateVerify, "virtual_hosted_style_request", virtualHostedStyle, "unsigned_payload",
                    unsignedPayload, "retry_base_delay", retryBaseDelayMillis, "retry_next_delay_multiplier",
                    retryNextDelayMultiplier, "retry_max_delay", retryMaxDelayMillis, "request_timeout", requestTimeoutMillis);
        }

        /** Never shows the secret: logs print this. */
        @Override
        public String toString() {
            return "S3" + keys() + " (credentials: " + credentialsMode() + ")";
        }

        public String credentialsMode() {
            return anonymous ? "anonymous" : !accessKeyId.isEmpty() ? "static" : useCredentialsEnv ? "profile file"
                    : "default chain";
        }
    }

    /**
     * NVIDIA AIStore (the backend itself comes with issue 6; the section is validated now).
     *
     * @param manifestGenBackend dir_name of the backend that serves LIST and STAT-DIR, or ""
     */
    record AIStore(String endpoint, boolean skipTlsCertificateVerify, String authnToken, Path authnTokenFile,
                   String provider, long timeoutMillis, String manifestGenBackend) implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("endpoint", endpoint, "provider", provider, "timeout", timeoutMillis, "authnToken",
                    redacted(authnToken), "authnTokenFile", authnTokenFile.toString(), "skip_tls_certificate_verify",
                    skipTlsCertificateVerify, "manifest_gen_backend", manifestGenBackend);
        }

        @Override
        public String toString() {
            return "AIStore" + keys();
        }
    }

    /**
     * Google Cloud Storage through its JSON API.
     *
     * @param endpoint             "" for Google itself, else a URL such as http://127.0.0.1:4443 (an emulator)
     * @param apiKey               "" for Application Default Credentials, or none where there are none
     * @param requestTimeoutMillis deadline of every request, its body and retries included (msfs's own key)
     */
    record Gcs(String endpoint, String apiKey, boolean skipTlsCertificateVerify, long retryBaseDelayMillis,
               double retryNextDelayMultiplier, long retryMaxDelayMillis, long requestTimeoutMillis) implements TypeSettings {
        @Override
        public java.util.Map<String, Object> keys() {
            return ordered("endpoint", endpoint, "api_key", redacted(apiKey), "skip_tls_certificate_verify",
                    skipTlsCertificateVerify, "retry_base_delay", retryBaseDelayMillis, "retry_next_delay_multiplier",
                    retryNextDelayMultiplier, "retry_max_delay", retryMaxDelayMillis, "request_timeout", requestTimeoutMillis);
        }

        @Override
        public String toString() {
            return "GCS" + keys();
        }
    }
}
