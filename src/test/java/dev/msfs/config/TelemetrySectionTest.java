package dev.msfs.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.config.TelemetryConfig.Attribute;
import dev.msfs.config.TelemetryConfig.Source;
import java.io.StringReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** MSC's opentelemetry section, as MSFS's dev config and MSC's schema write it. */
class TelemetrySectionTest {
    private static final String BACKENDS = """
            msfs_version: 1
            backends:
              - {dir_name: p, bucket_container_name: dev, backend_type: S3, S3: {endpoint: "http://127.0.0.1:9000",
                  access_key_id: a, secret_access_key: "$SECRET"}}
            """;
    private final ConfigLoader loader = new ConfigLoader(Map.of("SECRET", "s3cr3t", "JOB", "j1"), 1000, 1000);

    private MsfsConfig parse(String otel) throws ConfigException {
        return loader.parse("test.yaml", new StringReader(BACKENDS + otel));
    }

    private String error(String otel) {
        return assertThrows(ConfigException.class, () -> parse(otel)).getMessage();
    }

    /** MSFS's dev config's section: five providers, its reader options, and an endpoint written host:port. */
    @Test
    void msfsDevConfigsSectionIsRead() throws ConfigException {
        MsfsConfig c = parse("""
                opentelemetry:
                  metrics:
                    attributes:
                      - type: static
                        options:
                          attributes:
                            msc.ppp: dev
                      - type: host
                        options:
                          attributes:
                            msc.host: name
                      - type: process
                        options:
                          attributes:
                            msc.pid: pid
                      - type: environment_variables
                        options:
                          attributes:
                            msc.job: JOB
                      - type: msc_config
                        options:
                          attributes:
                            msc.bucket:
                              expression: backends[0].bucket_container_name
                            msc.secret:
                              expression: hash('sha256', backends[0].S3.secret_access_key)
                    reader:
                      options:
                        collect_interval_millis: 1000
                        collect_timeout_millis: 10000
                        export_interval_millis: 60000
                        export_timeout_millis: 30000
                    exporter:
                      type: otlp
                      options:
                        endpoint: otel-collector:4318
                """);
        TelemetryConfig t = c.telemetry().orElseThrow();
        assertEquals(URI.create("http://otel-collector:4318/v1/metrics"), t.endpoint());
        assertEquals(Duration.ofSeconds(1), t.collectInterval());
        assertEquals(Duration.ofSeconds(60), t.exportInterval());
        assertEquals(List.of(new Attribute("msc.ppp", Source.STATIC, "dev"), new Attribute("msc.host", Source.HOST, "name"),
                new Attribute("msc.pid", Source.PROCESS, "pid"), new Attribute("msc.job", Source.ENVIRONMENT, "JOB"),
                new Attribute("msc.bucket", Source.CONFIG, "dev"),
                // sha256("s3cr3t"): the secret is read after substitution, and only its digest leaves
                new Attribute("msc.secret", Source.CONFIG, "4e738ca5563c06cfd0018299933d58db1dd8bf97f6973dc99bf6cdc64b5550bd")),
                t.attributes());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void urlsAreTakenAsPythonsClientTakesThemAndDefaultsAreMscs() throws ConfigException {
        TelemetryConfig t = parse("""
                opentelemetry: {metrics: {exporter: {type: otlp, options: {endpoint: "https://collector.example:4318"}}}}
                """).telemetry().orElseThrow();
        assertEquals(URI.create("https://collector.example:4318/v1/metrics"), t.endpoint());
        assertEquals(TelemetryConfig.DEFAULT_COLLECT_INTERVAL, t.collectInterval());
        assertEquals(TelemetryConfig.DEFAULT_EXPORT_TIMEOUT, t.exportTimeout());
        assertEquals(URI.create("http://c:1/otlp/v1/metrics"), parse("""
                opentelemetry: {metrics: {exporter: {type: otlp, options: {endpoint: "http://c:1/otlp/v1/metrics"}}}}
                """).telemetry().orElseThrow().endpoint());
        assertEquals(URI.create("https://c:1/v1/metrics"), parse("""
                opentelemetry: {metrics: {exporter: {type: otlp, options: {endpoint: "c:1", insecure: false}}}}
                """).telemetry().orElseThrow().endpoint());
    }

    /** As MSFS: an exporter it cannot run turns the export off with a warning; the mount goes on. */
    @Test
    void anExporterMsfsCannotRunIsAWarningNotARefusal() throws ConfigException {
        MsfsConfig msal = parse("""
                opentelemetry:
                  metrics:
                    exporter:
                      type: _otlp_msal
                      options: {auth: {client_id: x}, exporter: {endpoint: "https://c"}}
                """);
        assertTrue(msal.telemetry().isEmpty());
        assertEquals(1, msal.warnings().size(), msal.warnings().toString());
        assertTrue(msal.warnings().getFirst().startsWith("test.yaml:8: opentelemetry.metrics.exporter.type: \"_otlp_msal\" is not"),
                msal.warnings().toString());
        MsfsConfig noEndpoint = parse("opentelemetry: {metrics: {exporter: {type: otlp}}}\n");
        assertTrue(noEndpoint.telemetry().isEmpty());
        assertTrue(noEndpoint.warnings().getFirst().contains("otlp needs options.endpoint"), noEndpoint.warnings().toString());
        assertTrue(parse("opentelemetry: {traces: {}}\n").acceptedNotUsed().contains("opentelemetry.traces"));
    }

    @Test
    void mistakesAreRefusedWithTheirLine() {
        assertEquals("test.yaml:7: opentelemetry.metrics.reader.options.export_interval_millis: -5 is out of range:"
                + " expected between 0 and 86400000", error("""
                opentelemetry:
                  metrics:
                    reader: {options: {export_interval_millis: -5}}
                    exporter: {type: otlp, options: {endpoint: "c:1"}}
                """));
        assertTrue(error("""
                opentelemetry:
                  metrics:
                    attributes: [{type: thread, options: {attributes: {a: b}}}]
                """).startsWith("test.yaml:7: opentelemetry.metrics.attributes[0].type: unknown attribute provider \"thread\""));
        assertTrue(error("""
                opentelemetry:
                  metrics:
                    attributes: [{type: msc_config, options: {attributes: {a: {expression: "backends[?dir_name=='p']"}}}}]
                """).contains("is a JMESPath expression beyond that"));
        assertTrue(error("""
                opentelemetry:
                  metrics:
                    attributes: [{type: host, options: {attributes: {a: ip}}}]
                """).contains("expected \"name\", got \"ip\""));
        assertTrue(error("""
                opentelemetry: {metrics: {exporter: {type: otlp, options: {endpoint: "ftp://c:1"}}}}
                """).contains("expected host:port or an http(s) URL"));
    }

    /** The MSC dialect keeps the section (MSFS: "opentelemetry is kept"), its expressions over the MSC file. */
    @Test
    void mscProfilesKeepTheSection() throws ConfigException {
        MsfsConfig c = loader.parse("msc.yaml", new StringReader("""
                profiles:
                  data:
                    storage_provider: {type: s3, options: {base_path: bucket/x, endpoint_url: "http://127.0.0.1:9000"}}
                opentelemetry:
                  metrics:
                    attributes:
                      - {type: msc_config, options: {attributes: {msc.base: {expression: profiles.data.storage_provider.options.base_path}}}}
                    exporter: {type: otlp, options: {endpoint: "collector:4318"}}
                """));
        TelemetryConfig t = c.telemetry().orElseThrow();
        assertEquals(URI.create("http://collector:4318/v1/metrics"), t.endpoint());
        assertEquals(List.of(new Attribute("msc.base", Source.CONFIG, "bucket/x")), t.attributes());
    }

    /** The example of MSFS's own docs: providers without options, and a reader type. */
    @Test
    void msfsDocsExampleIsAccepted() throws ConfigException {
        MsfsConfig c = parse("""
                opentelemetry:
                  metrics:
                    attributes:
                      - type: static
                        options:
                          attributes:
                            service.name: msc-posix
                            deployment.environment: production
                      - type: host
                      - type: process
                    reader:
                      type: periodic
                      options:
                        collect_interval_millis: 1000
                        export_interval_millis: 60000
                    exporter:
                      type: otlp
                      options:
                        endpoint: "http://otel-collector:4318"
                        insecure: true
                """);
        assertEquals(List.of(), c.warnings());
        assertEquals(List.of(new Attribute("service.name", Source.STATIC, "msc-posix"),
                new Attribute("deployment.environment", Source.STATIC, "production")), c.telemetry().orElseThrow().attributes());
    }
}
