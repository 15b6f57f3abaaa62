package dev.msfs.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * MSC's {@code opentelemetry.metrics} section, as MSFS reads it: where msfs sends its
 * {@code multistorageclient.*} metrics over OTLP/HTTP, how often it samples them (collect) and how
 * often it sends the samples (export), and the attributes every sample carries.
 *
 * @param endpoint   the collector's metrics URL (an endpoint written host:port gets {@code /v1/metrics})
 * @param attributes the attribute providers in config order; a later one wins a key both name
 */
public record TelemetryConfig(URI endpoint, Duration collectInterval, Duration collectTimeout, Duration exportInterval,
                              Duration exportTimeout, List<Attribute> attributes) {
    /** MSC's defaults: sample every second, send every minute. */
    public static final Duration DEFAULT_COLLECT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_COLLECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_EXPORT_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(30);

    /** Where an attribute's value comes from: MSC's attribute provider types. */
    public enum Source {
        /** the value as written ({@code static}) */
        STATIC,
        /** {@code host}: "name" is the host name */
        HOST,
        /** {@code process}: "pid" is msfs's process id */
        PROCESS,
        /** {@code environment_variables}: the named variable, left out when unset */
        ENVIRONMENT,
        /** {@code msc_config}: the value found in the config file, resolved when it was read */
        CONFIG
    }

    /** One attribute: its key, and the value or the name of what gives it. */
    public record Attribute(String key, Source source, String value) {
    }
}
