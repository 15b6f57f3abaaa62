package dev.msfs.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.yaml.snakeyaml.Yaml;

/**
 * The subset of AIStore's REST API that msfs uses, written from AIStore's HTTP API documentation
 * and, where they differ, its source (NVIDIA/aistore, files named below; as compared for msfs's
 * issue on AIStore's real answers):
 * <ul>
 * <li>a proxy that lists buckets ({@code GET /v1/buckets/B} with a {"action": "list"} body:
 *     prefix, pagesize, uuid, continuation_token, the no-recursion flag), answering LsoRes with
 *     the job's uuid (api/ls.go: clients send it back with each page); directories carry flag
 *     256 (1024 means "version changed"); a folder marker "d/" is listed under "d/" itself;</li>
 * <li>object requests redirected to a target, GET with 301 and HEAD with 307, to an absolute
 *     Location built from the decoded name (ais/prxred.go, cmn/http.go);</li>
 * <li>a target that answers HEAD (size as Content-Length, none for a zero-size object; Ais-Atime)
 *     and GET on {@code /v1/objects/B/O}; a remote object not cached yet is listed and HEADed with
 *     its backend's ETag and no checksum, and its first GET stores and returns the bucket's own
 *     checksum type (validate_cold_get); versioned objects carry Ais-Version.</li>
 * </ul>
 * PUT (the proxy redirects it with 307, and the target stores the body) and DELETE of objects
 * too (ais/tgtobj.go).
 * The proxy also serves the cluster map ({@code GET /v1/daemon?what=smap}). Both check the bearer token (the CLI's token file is JSON: cmd/cli/cli/auth_hdlr.go,
 * api/authn/loadtoken.go) and the provider. Counters say which server saw which request.
 */
final class FakeAIStore implements AutoCloseable {
    private static final int LS_NO_RECURSION = 1 << 11;

    final String token;
    final String provider;
    final Map<String, byte[]> objects = new ConcurrentSkipListMap<>(); // "bucket/key"
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger redirects = new AtomicInteger();
    final AtomicInteger targetGets = new AtomicInteger();
    final AtomicInteger targetHeads = new AtomicInteger();
    final AtomicInteger failNextGets = new AtomicInteger();
    /** PUTs the target stored (after the proxy's 307). */
    final AtomicInteger puts = new AtomicInteger();
    /** Remote objects AIStore has not cached yet ("bucket/key"): listed and HEADed with the backend's ETag, no checksum. */
    final java.util.Set<String> cold = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Versions of objects in a versioned bucket ("bucket/key" to Ais-Version). */
    final Map<String, String> versions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Continued listing pages that came without the listing's uuid (each would be a new walk on a real cluster). */
    final AtomicInteger pagesWithoutUuid = new AtomicInteger();
    /** Every object's access time, as HEAD (Ais-Atime, nanoseconds) and the listing (RFC 822) give it. */
    static final long ATIME_MILLIS = 1767323040000L;
    /** GETs that send their headers and half their body, then nothing until the fake closes. */
    final AtomicInteger stallNextGets = new AtomicInteger();
    /** Reads of the cluster map, which says where the token may follow a redirect. */
    final AtomicInteger smapReads = new AtomicInteger();
    /** Where object requests are redirected ("scheme://host:port"), when not to the target. */
    volatile String redirectTo;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final HttpServer proxy;
    private final HttpServer target;

    FakeAIStore(String token, String provider) throws IOException {
        this.token = token;
        this.provider = provider;
        proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        proxy.createContext("/v1/buckets/", this::list);
        proxy.createContext("/v1/objects/", ex -> {
            if (authorized(ex)) {
                redirects.incrementAndGet();
                // The JDK's server says "100 Continue" to any Expect: a PUT's body comes: read it, as Go's server never asks for it.
                ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
                // As AIStore's proxy does (ais/prxred.go, cmn/http.go): the target URL is built from the
                // decoded object name, escaped only when the name holds one of "%?# +".
                String path = ex.getRequestURI().getPath();
                String location = path.matches(".*[%?# +].*") ? ex.getRequestURI().getRawPath() : path;
                String to = redirectTo != null ? redirectTo : "http://127.0.0.1:" + target.getAddress().getPort();
                ex.getResponseHeaders().add("Location", to + location + "?" + ex.getRequestURI().getRawQuery());
                ex.sendResponseHeaders(ex.getRequestMethod().equals("GET") ? 301 : 307, -1); // as AIStore's proxy answers each
                ex.close();
            }
        });
        proxy.createContext("/v1/daemon", ex -> {
            if (hasToken(ex) && String.valueOf(ex.getRequestURI().getQuery()).contains("what=smap")) {
                smapReads.incrementAndGet();
                reply(ex, 200, smap());
            }
        });
        target.createContext("/v1/objects/", this::object);
        // A handler per request: a stalled one must not hold up the others.
        proxy.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        target.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        proxy.start();
        target.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + proxy.getAddress().getPort();
    }

    void put(String bucket, String key, byte[] content) {
        objects.put(bucket + "/" + key, content);
    }

    /**
     * The cluster map as {@code GET /v1/daemon?what=smap} answers it (core/meta/smap.go): the proxy
     * and the target, each with its public, intra-control and intra-data networks.
     */
    private String smap() {
        return "{\"pmap\": {\"p1\": " + node("proxy", proxy) + "}, \"tmap\": {\"t1\": " + node("target", target)
                + "}, \"proxy_si\": " + node("proxy", proxy) + ", \"uuid\": \"fake\", \"version\": \"3\"}";
    }

    private static String node(String type, HttpServer server) {
        int port = server.getAddress().getPort();
        String net = "{\"node_ip_addr\": \"127.0.0.1\", \"daemon_port\": \"" + port + "\", \"direct_url\": \"http://127.0.0.1:"
                + port + "\"}";
        return "{\"public_net\": " + net + ", \"intra_control_net\": " + net + ", \"intra_data_net\": " + net
                + ", \"daemon_type\": \"" + type + "\", \"daemon_id\": \"" + type + "1\", \"flags\": 0}";
    }

    private boolean hasToken(HttpExchange ex) throws IOException {
        if (!("Bearer " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
            reply(ex, 401, "{\"message\": \"unauthorized\"}");
            return false;
        }
        return true;
    }

    private boolean authorized(HttpExchange ex) throws IOException {
        String query = String.valueOf(ex.getRequestURI().getQuery());
        if (!hasToken(ex)) {
            return false;
        }
        if (!query.contains("provider=" + provider)) {
            reply(ex, 400, "{\"message\": \"wrong provider\"}");
            return false;
        }
        return true;
    }

    private void list(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        lists.incrementAndGet();
        String bucket = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/v1/buckets/".length()), StandardCharsets.UTF_8);
        Map<?, ?> msg = new Yaml().load(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"list".equals(msg.get("action")) || !(msg.get("value") instanceof Map<?, ?> value)) {
            reply(ex, 400, "{\"message\": \"expected a list action\"}");
            return;
        }
        String prefix = String.valueOf(value.get("prefix"));
        String after = String.valueOf(value.get("continuation_token"));
        String uuid = value.get("uuid") == null ? "" : String.valueOf(value.get("uuid"));
        if (uuid.isEmpty() && !after.isEmpty() && !after.equals("null")) {
            pagesWithoutUuid.incrementAndGet();
        }
        if (uuid.isEmpty()) {
            uuid = java.util.UUID.randomUUID().toString();
        }
        int page = Integer.parseInt(String.valueOf(value.get("pagesize")));
        boolean flat = (Integer.parseInt(String.valueOf(value.get("flags"))) & LS_NO_RECURSION) != 0;
        TreeSet<String> names = new TreeSet<>();
        Map<String, byte[]> files = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            if (e.getKey().startsWith(bucket + "/" + prefix)) {
                String key = e.getKey().substring(bucket.length() + 1);
                int slash = key.indexOf('/', prefix.length());
                String name = flat && slash >= 0 ? key.substring(0, slash + 1) : key;
                names.add(name);
                if (!name.endsWith("/")) {
                    files.put(name, e.getValue());
                }
            }
        }
        List<String> entries = new ArrayList<>();
        String last = "";
        for (String name : after.isEmpty() ? names : names.tailSet(after, false)) {
            if (entries.size() == page) {
                break;
            }
            byte[] c = files.get(name);
            entries.add(c == null ? "{\"name\": \"" + name + "\", \"flags\": 256}" // 256: a directory (1024 means "version changed")
                    : "{\"name\": \"" + name + "\", \"size\": \"" + c.length + "\", \"checksum\": \""
                    + (cold.contains(bucket + "/" + name) ? md5(c) : checksum(c)) + "\""
                    + (versions.containsKey(bucket + "/" + name) ? ", \"version\": \"" + versions.get(bucket + "/" + name) + "\"" : "")
                    + ", \"atime\": \"02 Jan 26 03:04 UTC\"}");
            last = name;
        }
        boolean more = !names.isEmpty() && !last.isEmpty() && !last.equals(names.last());
        reply(ex, 200, "{\"uuid\": \"" + uuid + "\", \"continuation_token\": \"" + (more ? last : "") + "\", \"entries\": ["
                + String.join(",", entries) + "], \"flags\": 0}");
    }

    private void object(HttpExchange ex) throws IOException {
        if (!authorized(ex)) {
            return;
        }
        String key = URLDecoder.decode(ex.getRequestURI().getRawPath().substring("/v1/objects/".length()), StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("PUT")) { // a new version: cached, with a checksum
            byte[] body = ex.getRequestBody().readAllBytes();
            objects.put(key, body);
            cold.remove(key);
            puts.incrementAndGet();
            reply(ex, 200, "");
            return;
        }
        if (ex.getRequestMethod().equals("DELETE")) {
            reply(ex, objects.remove(key) == null ? 404 : 200, "");
            return;
        }
        byte[] c = objects.get(key);
        if (c == null) {
            reply(ex, 404, "{\"message\": \"not found\"}");
            return;
        }
        boolean get = ex.getRequestMethod().equals("GET");
        if (get) {
            cold.remove(key); // a cold GET stores the object and its checksum of the bucket's type
        }
        if (cold.contains(key)) {
            ex.getResponseHeaders().add("ETag", "\"" + md5(c) + "\""); // the backend's ETag; AIStore has no checksum yet
        } else {
            ex.getResponseHeaders().add("ais-checksum-type", "xxhash"); // the fake's "xxhash" is a CRC32: only its type matters
            ex.getResponseHeaders().add("ais-checksum-value", checksum(c));
        }
        if (versions.containsKey(key)) {
            ex.getResponseHeaders().add("ais-version", versions.get(key));
        }
        ex.getResponseHeaders().add("Ais-Atime", Long.toString(ATIME_MILLIS * 1_000_000));
        if (ex.getRequestMethod().equals("HEAD")) {
            if (c.length > 0) { // the size is Content-Length; a zero-size object's HEAD has none (there is no ais-size)
                ex.getResponseHeaders().add("Content-Length", Integer.toString(c.length));
            }
            targetHeads.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        targetGets.incrementAndGet();
        if (failNextGets.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            reply(ex, 500, "{\"message\": \"injected failure\"}");
            return;
        }
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int to = c.length - 1;
        if (range != null) {
            String[] r = range.substring("bytes=".length()).split("-");
            from = Integer.parseInt(r[0]);
            to = Math.min(to, Integer.parseInt(r[1]));
        }
        if (from >= c.length) {
            reply(ex, 416, "");
            return;
        }
        ex.sendResponseHeaders(range == null ? 200 : 206, to - from + 1);
        try (OutputStream out = ex.getResponseBody()) {
            if (stallNextGets.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                out.write(c, from, (to - from + 1) / 2);
                out.flush();
                closing.await();
                return;
            }
            out.write(c, from, to - from + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String md5(byte[] c) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(c));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String checksum(byte[] c) {
        CRC32 crc = new CRC32();
        crc.update(c);
        return Long.toHexString(crc.getValue());
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        proxy.stop(0);
        target.stop(0);
    }
}
