package dev.msfs.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server that injects faults into the connections it
 * accepts (new connections take the current {@link Mode}; those already relaying keep theirs):
 * refuse, stall, answer 503 SlowDown, relay and then cut the response (RST, or FIN short of the
 * announced Content-Length), relay with one response byte flipped, or relay with a pause in the
 * middle of the response (for {@link #pauseMillis}, then the rest of it, as a slow store does).
 * Test code; it never talks to anything but loopback.
 */
final class FaultProxy implements AutoCloseable {
    enum Mode { PASS, REFUSE, STALL, SLOW_DOWN, RESET_MID_BODY, TRUNCATE, FLIP_BYTE, PAUSE_MID_BODY }

    private static final int CUT_AFTER = 64 * 1024; // response bytes relayed before a cut
    private static final int FLIP_AT = 32 * 1024; // the response byte flipped: past the head, inside the body

    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private volatile Mode mode = Mode.PASS;
    /** How long PAUSE_MID_BODY pauses, read when the pause starts. */
    volatile long pauseMillis = 1000;
    private volatile boolean closed;

    FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fault-proxy").start(this::acceptLoop);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    /** Changes what new connections get, and drops the open ones so clients reconnect under it. */
    void mode(Mode m) {
        mode = m;
        synchronized (open) {
            for (Socket s : open) {
                quietClose(s);
            }
            open.clear();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                Mode m = mode;
                Thread.ofVirtual().start(() -> serve(client, m));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client, Mode m) {
        try {
            switch (m) {
                case REFUSE -> {
                    client.setSoLinger(true, 0); // RST
                    client.close();
                }
                case STALL -> client.getInputStream().transferTo(OutputStream.nullOutputStream()); // never answers
                case SLOW_DOWN -> {
                    readHead(client.getInputStream());
                    byte[] body = "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
                            .getBytes(StandardCharsets.UTF_8);
                    OutputStream out = client.getOutputStream();
                    out.write(("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    client.close();
                }
                default -> relay(client, m);
            }
        } catch (IOException e) {
            quietClose(client);
        }
    }

    private void relay(Socket client, Mode m) throws IOException {
        try (Socket up = new Socket()) {
            up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
            open.add(up);
            Thread.ofVirtual().start(() -> pump(client, up, Long.MAX_VALUE, false, -1, false)); // requests, unchanged
            boolean cut = m == Mode.RESET_MID_BODY || m == Mode.TRUNCATE || m == Mode.PAUSE_MID_BODY;
            pump(up, client, cut ? CUT_AFTER : Long.MAX_VALUE, m == Mode.RESET_MID_BODY, m == Mode.FLIP_BYTE ? FLIP_AT : -1,
                    m == Mode.PAUSE_MID_BODY);
        }
    }

    /**
     * Copies from → to, inverting the byte at stream offset {@code flipAt} (none if negative);
     * after {@code limit} bytes, pauses and goes on if {@code pause}, else ends the connection
     * (RST if {@code reset}, else FIN).
     */
    private void pump(Socket from, Socket to, long limit, boolean reset, long flipAt, boolean pause) {
        byte[] buf = new byte[16 * 1024];
        long sent = 0;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                int take = (int) Math.min(n, limit - sent);
                if (flipAt >= sent && flipAt < sent + take) {
                    buf[(int) (flipAt - sent)] ^= (byte) 0xff;
                }
                out.write(buf, 0, take);
                sent += take;
                if (sent >= limit && pause) {
                    out.flush();
                    Thread.sleep(pauseMillis);
                    out.write(buf, take, n - take);
                    sent += n - take;
                    limit = Long.MAX_VALUE;
                } else if (sent >= limit) {
                    out.flush();
                    if (reset) {
                        to.setSoLinger(true, 0);
                    }
                    to.close();
                    from.close();
                    return;
                }
            }
            to.shutdownOutput();
        } catch (IOException | InterruptedException e) {
            quietClose(to);
            quietClose(from);
        }
    }

    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        for (int b; state < 4 && (b = in.read()) >= 0; ) {
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        mode(Mode.PASS);
    }
}
