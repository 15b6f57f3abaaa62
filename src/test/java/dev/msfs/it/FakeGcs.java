package dev.msfs.it;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The subset of Google Cloud Storage's JSON API that msfs uses, written from Google's API
 * documentation (cloud.google.com/storage/docs/json_api/v1: objects list, objects get, media
 * download, request preconditions) and its OAuth 2.0 service-account flow (RFC 7523, Google's
 * "Using OAuth 2.0 for server to server applications"):
 * <ul>
 * <li>{@code GET /storage/v1/b/B/o}: prefix, delimiter, pageToken, startOffset (inclusive) and maxResults (at most 1,000;
 *     items and prefixes count together), answering items (sizes and generations as strings),
 *     prefixes and nextPageToken;</li>
 * <li>{@code GET /storage/v1/b/B/o/NAME} (the name percent-encoded, '/' as %2F): the object
 *     resource; with {@code alt=media} its bytes, a Range answered with 206 and Content-Range (416
 *     past the end), the whole object with {@code x-goog-hash: crc32c=…,md5=…};
 *     {@code ifGenerationMatch} answered with 412 when the generation differs;</li>
 * <li>{@code POST /token}: a JWT-bearer grant whose RS256 signature is verified with the service
 *     account's public key, and whose iss, aud, scope and exp are checked; the access token it
 *     returns lives {@link #tokenLifetimeSeconds}.</li>
 * <li>the GCE metadata server's root (answering {@code Metadata-Flavor: Google}, which is how
 *     Google's libraries tell they run on GCE or GKE) and its default service account's token,
 *     for requests that carry {@code Metadata-Flavor: Google} (GKE Workload Identity's path).</li>
 * </ul>
 * Every storage request needs a live access token or the API key, unless {@link #anonymous}.
 */
final class FakeGcs implements AutoCloseable {
    static final String CLIENT_EMAIL = "msfs-test@msfs-project.iam.gserviceaccount.com";

    /** An object and its hashes as GCS stores them (base64 of the big-endian CRC32C, and of the MD5). */
    record Obj(byte[] data, long generation, long metageneration, String crc32c, String md5) {
    }

    final Map<String, NavigableMap<String, Obj>> buckets = new ConcurrentHashMap<>();
    final KeyPair serviceAccountKey;
    final String apiKey;
    volatile boolean anonymous;
    volatile int tokenLifetimeSeconds = 3600;
    /** Whole-object downloads whose x-goog-hash carries a wrong CRC32C. */
    volatile boolean corruptHashes;
    final AtomicInteger lists = new AtomicInteger();
    final AtomicInteger metadataGets = new AtomicInteger();
    final AtomicInteger mediaGets = new AtomicInteger();
    final AtomicInteger preconditionFailures = new AtomicInteger();
    final AtomicInteger tokenExchanges = new AtomicInteger();
    /** Tokens asked of the metadata server (of {@link #tokenExchanges}). */
    final AtomicInteger metadataTokens = new AtomicInteger();
    final AtomicInteger refusedTokens = new AtomicInteger();
    final AtomicInteger unauthorized = new AtomicInteger();
    /** Media GETs that send their headers and half their body, then nothing until the fake closes. */
    final AtomicInteger stallNextMedia = new AtomicInteger();
    /** Access tokens in use at least once by a storage request. */
    final Set<String> tokensUsed = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong(1_700_000_000_000_000L);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final HttpServer server;

    FakeGcs(String apiKey) throws Exception {
        this.apiKey = apiKey;
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        serviceAccountKey = g.generateKeyPair();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/storage/v1/b/", this::storage);
        server.createContext("/token", this::token);
        server.createContext("/computeMetadata/v1/instance/service-accounts/default/token", this::metadataToken);
        server.createContext("/", this::metadataRoot);
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A service-account key file, as the Cloud console writes one, whose token_uri is this fake. */
    String serviceAccountJson() {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(serviceAccountKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        JsonObject o = new JsonObject();
        o.addProperty("type", "service_account");
        o.addProperty("project_id", "msfs-project");
        o.addProperty("private_key_id", "0123456789abcdef");
        o.addProperty("private_key", pem);
        o.addProperty("client_email", CLIENT_EMAIL);
        o.addProperty("client_id", "100000000000000000001");
        o.addProperty("token_uri", endpoint() + "/token");
        return o.toString();
    }

    /** Stores a new generation of {@code bucket/name}. */
    void put(String bucket, String name, byte[] data) {
        buckets.computeIfAbsent(bucket, b -> new ConcurrentSkipListMap<>()).put(name, new Obj(data, generations.incrementAndGet(), 1,
                crc32c(data), Base64.getEncoder().encodeToString(md5(data))));
    }

    private void token(HttpExchange ex) throws IOException {
        try (ex) {
            Map<String, String> form = query(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String refusal = refusal(form);
            if (refusal != null) {
                refusedTokens.incrementAndGet();
                send(ex, 400, "application/json", ("{\"error\": \"invalid_grant\", \"error_description\": \"" + refusal + "\"}")
                        .getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            issue(ex);
        }
    }

    private void metadataRoot(HttpExchange ex) throws IOException {
        try (ex) {
            send(ex, 200, "application/text", new byte[0], Map.of("Metadata-Flavor", "Google"));
        }
    }

    private void metadataToken(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"Google".equals(ex.getRequestHeaders().getFirst("Metadata-Flavor"))) {
                send(ex, 403, "text/plain", "Missing Metadata-Flavor:Google header.".getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            metadataTokens.incrementAndGet();
            issue(ex);
        }
    }

    /** Answers with a new access token that lives {@link #tokenLifetimeSeconds}. */
    private void issue(HttpExchange ex) throws IOException {
        String token = "ya29.fake-" + tokenExchanges.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        tokens.put(token, Instant.now().plusSeconds(tokenLifetimeSeconds));
        send(ex, 200, "application/json", ("{\"access_token\": \"" + token + "\", \"expires_in\": " + tokenLifetimeSeconds
                + ", \"token_type\": \"Bearer\"}").getBytes(StandardCharsets.UTF_8), Map.of("Metadata-Flavor", "Google"));
    }

    /** Why the JWT-bearer grant is refused, or null: RS256 over header.claims with the account's key, and its claims. */
    private String refusal(Map<String, String> form) {
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            return "unsupported grant_type " + form.get("grant_type");
        }
        String[] jwt = form.getOrDefault("assertion", "").split("\\.");
        if (jwt.length != 3) {
            return "the assertion is not a signed JWT";
        }
        try {
            JsonObject header = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(jwt[0]), StandardCharsets.UTF_8)).getAsJsonObject();
            if (!"RS256".equals(header.get("alg").getAsString())) {
                return "alg must be RS256";
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(serviceAccountKey.getPublic());
            rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(Base64.getUrlDecoder().decode(jwt[2]))) {
                return "invalid JWT signature";
            }
            JsonObject claims = JsonParser.parseString(new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8)).getAsJsonObject();
            long now = Instant.now().getEpochSecond();
            if (!CLIENT_EMAIL.equals(claims.get("iss").getAsString())) {
                return "unknown issuer";
            }
            String aud = claims.get("aud").getAsString(); // Google's token URL, as Google's clients send it, or this one
            if (!aud.equals("https://oauth2.googleapis.com/token") && !aud.equals(endpoint() + "/token")) {
                return "wrong audience " + claims.get("aud");
            }
            if (!claims.has("scope") || !claims.get("scope").getAsString().contains("devstorage")) {
                return "no storage scope";
            }
            if (claims.get("exp").getAsLong() < now || claims.get("iat").getAsLong() > now + 60) {
                return "the assertion is expired or from the future";
            }
            return null;
        } catch (Exception e) {
            return "unreadable assertion: " + e;
        }
    }

    /** 0 when the request may go on, else the status GCS answers it with. */
    private int refusal(HttpExchange ex) {
        String key = ex.getRequestHeaders().getFirst("x-goog-api-key");
        if (anonymous || apiKey.equals(key)) {
            return 0;
        }
        if (key != null) {
            unauthorized.incrementAndGet();
            return 400; // as GCS: "API key not valid. Please pass a valid API key."
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && auth.startsWith("Bearer ")) {
            String token = auth.substring("Bearer ".length());
            Instant expires = tokens.get(token);
            if (expires != null && expires.isAfter(Instant.now())) {
                tokensUsed.add(token);
                return 0;
            }
        }
        unauthorized.incrementAndGet();
        return 401;
    }

    private void storage(HttpExchange ex) throws IOException {
        try (ex) {
            int refused = refusal(ex);
            if (refused != 0) {
                error(ex, refused, refused == 400 ? "API key not valid. Please pass a valid API key."
                        : "Anonymous caller does not have storage.objects.get access.");
                return;
            }
            // /storage/v1/b/{bucket}/o[/{object}]
            String[] parts = ex.getRequestURI().getRawPath().substring("/storage/v1/b/".length()).split("/", 3);
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            NavigableMap<String, Obj> bucket = buckets.get(decode(parts[0]));
            if (bucket == null || parts.length < 2 || !parts[1].equals("o")) {
                error(ex, 404, "The specified bucket does not exist.");
            } else if (parts.length == 2) {
                list(ex, bucket, q);
            } else {
                object(ex, bucket, decode(parts[2]), q);
            }
        }
    }

    private void list(HttpExchange ex, NavigableMap<String, Obj> bucket, Map<String, String> q) throws IOException {
        lists.incrementAndGet();
        String prefix = q.getOrDefault("prefix", "");
        String delimiter = q.getOrDefault("delimiter", "");
        int max = Math.min(1000, Integer.parseInt(q.getOrDefault("maxResults", "1000")));
        String after = q.containsKey("pageToken") ? new String(Base64.getDecoder().decode(q.get("pageToken")), StandardCharsets.UTF_8) : null;
        String startOffset = q.getOrDefault("startOffset", "");
        JsonArray items = new JsonArray();
        JsonArray prefixes = new JsonArray();
        String last = null;
        int n = 0;
        boolean more = false;
        String from = startOffset.compareTo(prefix) > 0 ? startOffset : prefix;
        for (Map.Entry<String, Obj> e : (after == null ? bucket.tailMap(from, true) : bucket.tailMap(after, false)).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith(prefix)) {
                break;
            }
            int cut = delimiter.isEmpty() ? -1 : name.indexOf(delimiter, prefix.length());
            String entry = cut < 0 ? name : name.substring(0, cut + delimiter.length());
            if (cut >= 0 && entry.equals(last)) {
                continue; // the rest of a prefix already listed
            }
            if (n == max) {
                more = true;
                break;
            }
            if (cut >= 0) {
                prefixes.add(entry);
            } else {
                items.add(resource(name, e.getValue()));
            }
            last = entry;
            n++;
        }
        JsonObject page = new JsonObject();
        page.addProperty("kind", "storage#objects");
        if (more) {
            // Resume after everything below the last entry: a prefix's own keys all start with it.
            String resume = last.endsWith(delimiter) && !delimiter.isEmpty() ? last + Character.MAX_VALUE : last;
            page.addProperty("nextPageToken", Base64.getEncoder().encodeToString(resume.getBytes(StandardCharsets.UTF_8)));
        }
        if (!prefixes.isEmpty()) {
            page.add("prefixes", prefixes);
        }
        if (!items.isEmpty()) {
            page.add("items", items);
        }
        send(ex, 200, "application/json", page.toString().getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private void object(HttpExchange ex, NavigableMap<String, Obj> bucket, String name, Map<String, String> q) throws IOException {
        Obj o = bucket.get(name);
        if (o == null) {
            error(ex, 404, "No such object: " + name);
            return;
        }
        if (q.containsKey("ifGenerationMatch") && Long.parseLong(q.get("ifGenerationMatch")) != o.generation()) {
            preconditionFailures.incrementAndGet();
            error(ex, 412, "At least one of the pre-conditions you specified did not hold.");
            return;
        }
        if (!"media".equals(q.get("alt"))) {
            metadataGets.incrementAndGet();
            send(ex, 200, "application/json", resource(name, o).toString().getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        mediaGets.incrementAndGet();
        Map<String, String> headers = new HashMap<>();
        headers.put("x-goog-generation", Long.toString(o.generation()));
        headers.put("x-goog-metageneration", Long.toString(o.metageneration()));
        // GCS sends the stored object's hashes on every media download, ranged or not.
        headers.put("x-goog-hash", "crc32c=" + (corruptHashes ? crc32c("corrupt".getBytes(StandardCharsets.UTF_8)) : o.crc32c())
                + ",md5=" + o.md5());
        String range = ex.getRequestHeaders().getFirst("Range");
        byte[] body = o.data();
        int from = 0;
        int length = body.length;
        int status = 200;
        if (range != null && range.startsWith("bytes=")) {
            String[] se = range.substring("bytes=".length()).split("-", 2);
            long start = Long.parseLong(se[0]);
            long end = se[1].isEmpty() ? body.length - 1 : Math.min(Long.parseLong(se[1]), body.length - 1);
            if (start >= body.length) {
                headers.put("Content-Range", "bytes */" + body.length);
                send(ex, 416, "application/json", new byte[0], headers);
                return;
            }
            headers.put("Content-Range", "bytes " + start + "-" + end + "/" + body.length);
            from = (int) start;
            length = (int) (end - start + 1);
            status = 206;
        }
        if (stallNextMedia.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            ex.sendResponseHeaders(status, length);
            OutputStream out = ex.getResponseBody();
            out.write(body, from, length / 2);
            out.flush();
            try {
                closing.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        send(ex, status, "application/octet-stream", body, from, length, headers);
    }

    private static JsonObject resource(String name, Obj o) {
        JsonObject r = new JsonObject();
        r.addProperty("kind", "storage#object");
        r.addProperty("name", name);
        r.addProperty("bucket", "b");
        r.addProperty("size", Long.toString(o.data().length));
        r.addProperty("generation", Long.toString(o.generation()));
        r.addProperty("metageneration", Long.toString(o.metageneration()));
        r.addProperty("updated", "2026-01-02T03:04:05.678Z");
        r.addProperty("crc32c", o.crc32c());
        r.addProperty("md5Hash", o.md5());
        r.addProperty("etag", "CJ" + Long.toHexString(o.generation()) + "EAE=");
        return r;
    }

    static String crc32c(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
    }

    private static byte[] md5(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("MD5").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "application/json", ("{\"error\": {\"code\": " + status + ", \"message\": \"" + message + "\"}}")
                .getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, Map<String, String> headers) throws IOException {
        send(ex, status, type, body, 0, body.length, headers);
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body, int from, int length,
                             Map<String, String> headers) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            ex.getResponseBody().write(body, from, length);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
                }
            }
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * For bench/gcs-cold-read: {@code FakeGcs API_KEY MIB NAME…} serves objects of MIB random
     * MiB each, named NAME… in bucket "bench", prints its endpoint, and runs until stdin closes.
     */
    public static void main(String[] args) throws Exception {
        try (FakeGcs fake = new FakeGcs(args[0])) {
            java.util.Random random = new java.util.Random(19);
            for (int i = 2; i < args.length; i++) {
                byte[] data = new byte[Integer.parseInt(args[1]) << 20];
                random.nextBytes(data);
                fake.put("bench", args[i], data);
            }
            System.out.println(fake.endpoint());
            System.out.flush();
            System.in.transferTo(OutputStream.nullOutputStream());
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
    }
}
