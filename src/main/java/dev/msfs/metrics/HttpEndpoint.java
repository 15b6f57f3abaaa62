package dev.msfs.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The {@code endpoint} service: {@code /metrics} (Prometheus text format), {@code /healthz}
 * (200 while the mount is up and serving, else 503), {@code /readyz} (200 once mounted, whatever
 * state each backend is in), {@code /backends} (each backend's state, {@link BackendStates}) and
 * {@code /drain} (POST: drop every cached line not being fetched, as MSFS's /drain), {@code /dump}
 * (the inodes the kernel holds, bounded), {@code /locks} and {@code /hang} (msfs's locks,
 * {@link MeasuredLock}, as MSFS's report its global lock). It
 * listens only where the config says; there is no default address.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final String INDEX = """
            msfs
            /metrics   Prometheus metrics (MSFS's names); /metrics/<dir_name>: one backend's
            /healthz   200 while the mount is up and serving, else 503
            /readyz    200 once mounted
            /backends  each backend's state, as JSON
            /drain     POST: drop every cached line not being fetched now; answers how many
            /dump      the inodes the kernel holds: number, d|f, lookups, backend/path (?max=N, 10000 by default)
            /locks     msfs's locks: holds, average and longest hold
            /hang      any lock held for a second or more, by whom, and that thread's stack
            """;
    /** What /hang calls a possible hang: a lock held this long. */
    private static final long HANG_MILLIS = 1_000;
    private static final int DUMP_DEFAULT = 10_000;
    private static final int DUMP_MAX = 1_000_000;
    private final HttpServer server;

    /** @param host "" for every interface; @param port 0 for a free one ({@link #port} says which) */
    public HttpEndpoint(String host, int port, MsfsMetrics metrics, BooleanSupplier healthy, BooleanSupplier ready,
                        BackendStates backends, MountView mount) throws IOException {
        server = HttpServer.create(host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/metrics", ex -> {
            String path = ex.getRequestURI().getPath();
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (path.equals("/metrics") || path.equals("/metrics/")) {
                metrics.write(body);
            } else { // /metrics/<dir_name>, as MSFS: one backend's
                String dirName = path.substring("/metrics/".length());
                if (!backends.known(dirName)) {
                    send(ex, 404, "text/plain; charset=utf-8", ("backend \"" + dirName + "\" not found\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                metrics.writeBackend(body, dirName);
            }
            send(ex, 200, MsfsMetrics.contentType(), body.toByteArray());
        });
        server.createContext("/healthz", ex -> status(ex, healthy.getAsBoolean()));
        server.createContext("/readyz", ex -> status(ex, ready.getAsBoolean()));
        server.createContext("/backends", ex -> send(ex, 200, "application/json", backends.json().getBytes(StandardCharsets.UTF_8)));
        server.createContext("/drain", ex -> { // it changes state: POST only, so no crawler or prefetching browser drains the cache
            if (!ex.getRequestMethod().equals("POST")) {
                ex.getResponseHeaders().add("Allow", "POST");
                send(ex, 405, "text/plain; charset=utf-8", "POST only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, "text/plain; charset=utf-8", (mount.drain() + "\n").getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/locks", ex -> send(ex, 200, "text/plain; charset=utf-8", (String.join("\n",
                mount.locks().stream().map(MeasuredLock::statistics).toList()) + "\n").getBytes(StandardCharsets.UTF_8)));
        server.createContext("/hang", ex -> {
            String hangs = String.join("", mount.locks().stream().map(l -> l.heldLongerThan(HANG_MILLIS))
                    .filter(java.util.Objects::nonNull).toList());
            send(ex, 200, "text/plain; charset=utf-8", (hangs.isEmpty() ? "no hang detected\n" : hangs).getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/dump", ex -> {
            String query = ex.getRequestURI().getQuery();
            int max = DUMP_DEFAULT;
            if (query != null && query.matches("max=\\d{1,7}")) {
                max = Math.min(DUMP_MAX, Integer.parseInt(query.substring(4)));
            } else if (query != null) {
                send(ex, 400, "text/plain; charset=utf-8", ("expected ?max=N (at most " + DUMP_MAX + ")\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, "text/plain; charset=utf-8", (String.join("\n", mount.dump(max)) + "\n").getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/", ex -> { // an index, as MSFS's endpoint has; any other path is not found
            boolean index = ex.getRequestURI().getPath().equals("/");
            send(ex, index ? 200 : 404, "text/plain; charset=utf-8", (index ? INDEX : "not found; see /\n").getBytes(StandardCharsets.UTF_8));
        });
        server.start();
    }

    /** The port actually bound (useful when the config asked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void status(HttpExchange ex, boolean ok) throws IOException {
        send(ex, ok ? 200 : 503, "text/plain; charset=utf-8", (ok ? "ok\n" : "not serving\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
