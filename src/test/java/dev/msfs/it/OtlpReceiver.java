package dev.msfs.it;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An OpenTelemetry collector's OTLP/HTTP metrics route on 127.0.0.1: decodes each protobuf
 * request with the protocol's generated classes and keeps every data point it carried, flattened.
 */
final class OtlpReceiver implements AutoCloseable {
    /** One data point: the request that brought it (0, 1, …), its metric, the resource's and its own attributes, and its value. */
    record Point(int request, String metric, String unit, Map<String, String> resource, Map<String, String> attributes,
                 double value, long timeNanos) {
    }

    private final HttpServer server;
    private final List<Point> points = new ArrayList<>();
    private int requests;

    OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/metrics", exchange -> {
            try (exchange) {
                if (!exchange.getRequestMethod().equals("POST")
                        || !"application/x-protobuf".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                    exchange.sendResponseHeaders(415, -1);
                    return;
                }
                ExportMetricsServiceRequest request = ExportMetricsServiceRequest.parseFrom(exchange.getRequestBody());
                keep(request);
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                byte[] ok = io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
                exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
                exchange.getResponseBody().write(ok);
            }
        });
        server.start();
    }

    String endpoint() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized void keep(ExportMetricsServiceRequest request) {
        int index = requests++;
        for (ResourceMetrics rm : request.getResourceMetricsList()) {
            Map<String, String> resource = map(rm.getResource().getAttributesList());
            for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                    List<NumberDataPoint> dataPoints = m.hasGauge() ? m.getGauge().getDataPointsList()
                            : m.hasSum() ? m.getSum().getDataPointsList() : List.of();
                    for (NumberDataPoint p : dataPoints) {
                        double value = p.hasAsDouble() ? p.getAsDouble() : p.getAsInt();
                        points.add(new Point(index, m.getName(), m.getUnit(), resource, map(p.getAttributesList()), value,
                                p.getTimeUnixNano()));
                    }
                }
            }
        }
    }

    private static Map<String, String> map(List<KeyValue> attributes) {
        Map<String, String> out = new TreeMap<>();
        for (KeyValue kv : attributes) {
            var v = kv.getValue();
            out.put(kv.getKey(), v.hasStringValue() ? v.getStringValue() : v.hasIntValue() ? Long.toString(v.getIntValue())
                    : v.toString());
        }
        return out;
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }

    synchronized int requests() {
        return requests;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
