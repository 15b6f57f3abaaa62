package dev.msfs.config;

import java.nio.file.Path;

/** The settings section that belongs to a backend's {@code backend_type}. */
public sealed interface TypeSettings {

    /** Synthetic read-only tree with deterministic content (see backend.PseudoBackend). */
    record Pseudo(String dirNameFormat, String fileNameFormat, long dirStartingNumber, long fileStartingNumber,
                  long fileSize, long[] filesAtDepth, long[] subdirectoriesAtDepth, int maxListPageSize,
                  long minLatencyListMillis, long minLatencyStatMillis, long minLatencyReadMillis)
            implements TypeSettings {
        @Override
        public String toString() {
            return "Pseudo[dir_name_format=" + dirNameFormat + ", file_name_format=" + fileNameFormat + ", file_size="
                    + fileSize + ", files_at_depth=" + java.util.Arrays.toString(filesAtDepth)
                    + ", subdirectories_at_depth=" + java.util.Arrays.toString(subdirectoriesAtDepth)
                    + ", max_list_page_size=" + maxListPageSize + ", min_latency_ms(list,stat,read)=" + minLatencyListMillis
                    + "," + minLatencyStatMillis + "," + minLatencyReadMillis + "]";
        }
    }

    /** In-memory objects (filled by tests through the Java API). */
    record Ram(int maxListPageSize, long maxTotalObjects, long maxTotalObjectSpace) implements TypeSettings {
    }

    /** A directory on disk presented read-only; links leaving it are hidden unless {@code followSymlinksOutside}. */
    record Local(Path basePath, boolean followSymlinksOutside) implements TypeSettings {
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
        /** Never shows the secret: this is what check-config and logs print. */
        @Override
        public String toString() {
            return "S3[region=" + region + ", endpoint=" + endpoint + ", credentials=" + credentialsMode()
                    + ", access_key_id=" + (accessKeyId.isEmpty() ? "" : accessKeyId.substring(0, Math.min(4, accessKeyId.length())) + "…")
                    + ", secret_access_key=" + (secretAccessKey.isEmpty() ? "" : "(redacted)") + ", profile=" + profile
                    + ", virtual_hosted_style_request=" + virtualHostedStyle + ", skip_tls_certificate_verify="
                    + skipTlsCertificateVerify + ", retry=" + retryBaseDelayMillis + "ms x" + retryNextDelayMultiplier
                    + " up to " + retryMaxDelayMillis + "ms, request_timeout=" + requestTimeoutMillis + "ms]";
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
        public String toString() {
            return "AIStore[endpoint=" + endpoint + ", provider=" + provider + ", timeout=" + timeoutMillis
                    + "ms, authnToken=" + (authnToken.isEmpty() ? "" : "(redacted)") + ", authnTokenFile=" + authnTokenFile
                    + ", skip_tls_certificate_verify=" + skipTlsCertificateVerify + ", manifest_gen_backend="
                    + manifestGenBackend + "]";
        }
    }

    /** Google Cloud Storage: the section is validated; msfs has no GCS backend. */
    record Gcs(String endpoint, String apiKey, boolean skipTlsCertificateVerify, long retryBaseDelayMillis,
               double retryNextDelayMultiplier, long retryMaxDelayMillis) implements TypeSettings {
        @Override
        public String toString() {
            return "GCS[endpoint=" + endpoint + ", api_key=" + (apiKey.isEmpty() ? "" : "(redacted)") + "]";
        }
    }
}
