package dev.msfs.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Quirks of other S3 stores, imitated in front of a real one on loopback, one request per
 * connection: S3 served only below a path (as behind an ingress, or AIStore's {@code /s3}),
 * ListObjectsV2 refused (as old stores do), or a listing that says it is not truncated while it
 * hands out a continuation token. Requests pass unchanged but for the path prefix, which SigV4
 * signs: use that one with a server that does not check signatures (moto). Test code.
 */
final class S3QuirksProxy implements AutoCloseable {
    enum Quirk { PATH_PREFIX, REFUSE_LIST_V2, WRONG_IS_TRUNCATED }

    static final String PREFIX = "/s3";

    private final ServerSocket server;
    private final int upstreamPort;
    private final Quirk quirk;
    private volatile boolean closed;

    S3QuirksProxy(int upstreamPort, Quirk quirk) throws IOException {
        this.upstreamPort = upstreamPort;
        this.quirk = quirk;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("s3-quirks-proxy").start(this::acceptLoop);
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort() + (quirk == Quirk.PATH_PREFIX ? PREFIX : "");
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket up = new Socket()) {
            String[] lines = readHead(client.getInputStream()).split("\r\n", -1);
            String[] request = lines[0].split(" ");
            String target = request.length == 3 ? request[1] : "";
            if (quirk == Quirk.PATH_PREFIX) {
                if (!target.startsWith(PREFIX + "/")) {
                    answer(client, "404 Not Found", "<Error><Code>NoSuchBucket</Code></Error>");
                    return;
                }
                target = target.substring(PREFIX.length());
            }
            boolean listV2 = target.contains("list-type=2");
            if (quirk == Quirk.REFUSE_LIST_V2 && listV2) {
                answer(client, "400 Bad Request", "<Error><Code>InvalidArgument</Code><Message>list-type</Message></Error>");
                return;
            }
            StringBuilder out = new StringBuilder(request[0] + " " + target + " " + request[2] + "\r\n");
            for (int i = 1; i < lines.length; i++) {
                if (!lines[i].isEmpty() && !lines[i].regionMatches(true, 0, "connection:", 0, 11)) {
                    out.append(lines[i]).append("\r\n");
                }
            }
            out.append("Connection: close\r\n\r\n");
            up.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
            up.getOutputStream().write(out.toString().getBytes(StandardCharsets.ISO_8859_1));
            up.getOutputStream().flush();
            byte[] response = up.getInputStream().readAllBytes(); // until the server closes
            if (quirk == Quirk.WRONG_IS_TRUNCATED && listV2) {
                response = withBody(response, new String(body(response), StandardCharsets.UTF_8)
                        .replace("<IsTruncated>true</IsTruncated>", "<IsTruncated>false</IsTruncated>"));
            }
            client.getOutputStream().write(response);
        } catch (IOException e) {
            // the client sees the connection end
        }
    }

    private static void answer(Socket client, String status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        client.getOutputStream().write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + b.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        client.getOutputStream().write(b);
    }

    private static int bodyStart(byte[] response) {
        String text = new String(response, StandardCharsets.ISO_8859_1);
        return text.indexOf("\r\n\r\n") + 4;
    }

    private static byte[] body(byte[] response) {
        int at = bodyStart(response);
        return java.util.Arrays.copyOfRange(response, at, response.length);
    }

    /** The response with another body and its Content-Length to match. */
    private static byte[] withBody(byte[] response, String newBody) {
        String head = new String(response, 0, bodyStart(response) - 4, StandardCharsets.ISO_8859_1);
        byte[] b = newBody.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (!line.regionMatches(true, 0, "content-length:", 0, 15) && !line.regionMatches(true, 0, "transfer-encoding:", 0, 18)) {
                out.append(line).append("\r\n");
            }
        }
        out.append("Content-Length: ").append(b.length).append("\r\n\r\n");
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        all.writeBytes(b);
        return all.toByteArray();
    }

    /** The request head, up to and without the blank line (the requests proxied here have no body). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int b; state < 4 && (b = in.read()) >= 0; ) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r\n\r\n") ? text.substring(0, text.length() - 4) : text;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
