package dev.msfs.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.TestSecrets;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GCS through a real mount, against {@link FakeGcs} (no GCS emulator can be installed here),
 * authenticated by a service-account JSON file through Google's auth library, whose signed JWT
 * the fake verifies: MSFS's dev config shape (PSEUDO beside GCS), listings of more than a page,
 * awkward names, every byte compared, token refreshes during a run of reads, a replaced object,
 * a stalled body, a wrong stored checksum, and wrong credentials.
 */
class GcsIT {
    /** Names a POSIX tree can hold that a URL must escape. */
    private static final List<String> AWKWARD = List.of("sp ace.txt", "pl+us.txt", "per%cent.txt", "hash#q?.txt",
            "ünïcødé ✓.txt", "br[ack]{et}s.txt", "semi;colon&amp=.txt");

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String config(int port, String gcsBackends) {
        return "msfs_version: 1\nallow_other: false\nentry_attr_ttl: 100\ncache_line_size: 1048576\n"
                // direct_io: the kernel would otherwise retry a failed read-ahead page and hide the EIO
                + "direct_io: true\nendpoint: http://127.0.0.1:" + port + "\nbackends:\n"
                + "  - {dir_name: pseudo, backend_type: PSEUDO, PSEUDO: {files_at_depth_0: 2, file_size: 100}}\n" + gcsBackends;
    }

    private static String gcs(String name, FakeGcs fake, String bucket, String extra) {
        return "  - {dir_name: " + name + ", backend_type: GCS, bucket_container_name: " + bucket + ",\n"
                + "     GCS: {endpoint: \"" + fake.endpoint() + "/\", request_timeout: 3000" + extra + "}}\n";
    }

    private static String get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Object readOrFail(Path file) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                return e;
            }
        }).get(60, TimeUnit.SECONDS); // bounded: a hang fails here
    }

    @Test
    void mountsAndReadsWithAServiceAccountBesideAPseudoBackend(@TempDir Path dir) throws Exception {
        try (FakeGcs fake = new FakeGcs(TestSecrets.GCS_API_KEY)) {
            Random random = new Random(16);
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                many.add(String.format("f%05d", i));
                fake.put("train", "many/" + many.getLast(), new byte[] {(byte) i});
            }
            fake.put("train", "many/sub/x", new byte[] {1});
            fake.put("train", "empty.bin", new byte[0]);
            fake.put("train", "one-line.txt", "one line\n".getBytes(StandardCharsets.UTF_8));
            fake.put("train", "lines.txt", "first\nsecond\n\nfourth, no newline".getBytes(StandardCharsets.UTF_8));
            byte[] big = new byte[(3 << 20) + 12345]; // four cache lines, the last one short
            random.nextBytes(big);
            fake.put("train", "d/e/big.bin", big);
            fake.put("train", "m/", new byte[0]); // a folder marker, listed under its own prefix
            fake.put("train", "m/f.txt", "below a marker".getBytes(StandardCharsets.UTF_8));
            for (String a : AWKWARD) {
                fake.put("train", "odd/" + a, a.getBytes(StandardCharsets.UTF_8));
            }
            byte[] changing = new byte[3 << 20];
            random.nextBytes(changing);
            fake.put("train", "changing.bin", changing);
            byte[] stalled = new byte[256 << 10];
            random.nextBytes(stalled);
            fake.put("train", "stalled.bin", stalled);
            fake.put("train", "checked.bin", "a whole object, checked".getBytes(StandardCharsets.UTF_8));
            Path key = Files.writeString(dir.resolve("service-account.json"), fake.serviceAccountJson());
            int port = freePort();
            Path cfg = Files.writeString(dir.resolve("c.yaml"), config(port, gcs("gcs", fake, "train", "")
                    + gcs("nobucket", fake, "missing", "")));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Map<String, String> env = Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString(), "NO_GCE_CHECK", "true");
            try (MsfsProcess msfs = MsfsProcess.mount(env, mnt, "--config", cfg.toString())) {
                Path root = mnt.resolve("gcs");
                assertEquals(List.of("gcs", "nobucket", "pseudo"), names(mnt));
                assertEquals(2, names(mnt.resolve("pseudo")).size());
                assertEquals(List.of("changing.bin", "checked.bin", "d", "empty.bin", "lines.txt", "m", "many", "odd",
                        "one-line.txt", "stalled.bin"), names(root));
                List<String> wantMany = new ArrayList<>(many);
                wantMany.add("sub");
                assertEquals(wantMany, names(root.resolve("many")), "a listing of two pages");
                assertTrue(fake.lists.get() >= 2, "lists: " + fake.lists);
                assertEquals(List.of("f.txt"), names(root.resolve("m")));
                assertEquals("below a marker", Files.readString(root.resolve("m/f.txt")));
                assertEquals(AWKWARD.stream().sorted().toList(), names(root.resolve("odd")));
                for (String a : AWKWARD) {
                    assertEquals(a, Files.readString(root.resolve("odd").resolve(a)), a);
                }
                assertEquals(0, Files.size(root.resolve("empty.bin")));
                assertArrayEquals(new byte[0], Files.readAllBytes(root.resolve("empty.bin")));
                assertEquals("one line\n", Files.readString(root.resolve("one-line.txt")));
                assertEquals("first\nsecond\n\nfourth, no newline", Files.readString(root.resolve("lines.txt")));
                assertArrayEquals(big, Files.readAllBytes(root.resolve("d/e/big.bin")));
                assertEquals(1_767_323_045_678L, Files.getLastModifiedTime(root.resolve("lines.txt")).toMillis(),
                        "the object's updated time is the file time");
                assertEquals(2, fake.tokenExchanges.get(), "one token per GCS backend, cached by the library, for all of the above");
                assertEquals(0, fake.refusedTokens.get());

                // A new generation under an open file: the next line asks for the old one, 412, EIO; never mixed bytes.
                try (RandomAccessFile f = new RandomAccessFile(root.resolve("changing.bin").toFile(), "r")) {
                    byte[] head = new byte[4096];
                    f.readFully(head);
                    assertArrayEquals(java.util.Arrays.copyOf(changing, 4096), head);
                    fake.put("train", "changing.bin", new byte[3 << 20]);
                    f.seek(2 << 20);
                    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> f.readFully(new byte[4096]));
                    assertTrue(e.getMessage().contains("Input/output error"), e.toString());
                }
                assertTrue(fake.preconditionFailures.get() > 0, "ifGenerationMatch was never sent");
                assertTrue(msfs.log().contains("changing.bin changed since it was opened"), msfs.log());

                // A body that stalls: EIO once the request's deadline (3 s) passes, not a hung reader.
                fake.stallNextMedia.set(1);
                Object outcome = readOrFail(root.resolve("stalled.bin"));
                assertTrue(outcome instanceof IOException eio && eio.getMessage().contains("Input/output error"), outcome.toString());
                assertTrue(msfs.log().contains("no whole answer within 3000 ms"), msfs.log());
                assertArrayEquals(stalled, Files.readAllBytes(root.resolve("stalled.bin")));

                // A whole-object read is checked against the stored CRC32C.
                fake.corruptHashes = true;
                outcome = readOrFail(root.resolve("checked.bin"));
                assertTrue(outcome instanceof IOException eio && eio.getMessage().contains("Input/output error"), outcome.toString());
                assertTrue(msfs.log().contains("checked.bin: bytes read do not match the object's CRC32C"), msfs.log());
                fake.corruptHashes = false;

                String backends = get(port, "/backends");
                assertTrue(backends.contains("\"dir_name\":\"gcs\",\"backend_type\":\"GCS\",\"state\":\"serving\",\"store\":\"GCS "
                        + fake.endpoint() + " bucket train (Application Default Credentials (ServiceAccountCredentials))\""), backends);
                assertTrue(backends.contains("bucket missing (Application Default Credentials (ServiceAccountCredentials))\",\"probe\":\"list missing/: HTTP 404 (The specified bucket does not exist.)"), backends);
                for (String token : fake.tokensUsed) {
                    assertFalse(msfs.log().contains(token), "an access token reached the log");
                }
                assertFalse(msfs.log().contains("PRIVATE KEY"), msfs.log());
            }
        }
    }

    /**
     * Tokens that live 200 s: Google's library holds a token as stale once less than 3 min 45 s is
     * left, and fetches the next one in the background while requests go on with the current one
     * (it blocks only under 3 min). So a run of reads sees fresh tokens fetched as it goes, and no
     * request goes out with an expired token or none.
     */
    @Test
    void refreshesTheTokenDuringARunOfReads(@TempDir Path dir) throws Exception {
        try (FakeGcs fake = new FakeGcs(TestSecrets.GCS_API_KEY)) {
            fake.tokenLifetimeSeconds = 200;
            for (int i = 0; i < 60; i++) {
                fake.put("b", "run/" + i, ("sample " + i).getBytes(StandardCharsets.UTF_8));
            }
            Path key = Files.writeString(dir.resolve("service-account.json"), fake.serviceAccountJson());
            Path cfg = Files.writeString(dir.resolve("c.yaml"), config(freePort(), gcs("gcs", fake, "b", "")));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(Map.of("GOOGLE_APPLICATION_CREDENTIALS", key.toString(), "NO_GCE_CHECK", "true"),
                    mnt, "--config", cfg.toString())) {
                for (int i = 0; i < 60; i++) {
                    assertEquals("sample " + i, Files.readString(mnt.resolve("gcs/run/" + i)));
                }
                assertTrue(fake.tokenExchanges.get() >= 3, "token exchanges: " + fake.tokenExchanges);
                assertTrue(fake.tokensUsed.size() >= 3, "tokens used: " + fake.tokensUsed.size());
                assertEquals(0, fake.unauthorized.get(), "a request went out with an expired token or none");
                assertEquals(0, fake.refusedTokens.get());
            }
        }
    }

    /**
     * generate-manifest of a GCS backend splits a flat directory into ranges listed at once, from
     * names (startOffset), as it does for S3: every name, in order, once.
     */
    @Test
    void generatesAManifestWithAFlatDirectoryListedInRanges(@TempDir Path dir) throws Exception {
        try (FakeGcs fake = new FakeGcs(TestSecrets.GCS_API_KEY)) {
            for (int i = 0; i < 1500; i++) {
                fake.put("b", String.format("flat/s%05d", i), new byte[] {1});
            }
            Path manifest = dir.resolve("manifest");
            Path cfg = Files.writeString(dir.resolve("c.yaml"), "msfs_version: 1\nbackends:\n"
                    + "  - {dir_name: gcs, backend_type: GCS, bucket_container_name: b, manifest_path: \"" + manifest + "\",\n"
                    + "     directory_page_size: 100, flat_dir_confirmation_pages: 2, manifest_gen_workers: 8,\n"
                    + "     GCS: {endpoint: \"" + fake.endpoint() + "\", api_key: " + TestSecrets.GCS_API_KEY + "}}\n");
            MsfsProcess.Result r = MsfsProcess.run("generate-manifest", "--backend", "gcs", cfg.toString());
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("1500 objects") && r.out().contains("1 flat directory listed in ranges at once"), r.out());
            List<String> names = Files.readAllLines(manifest.resolve("flat.tsv")).stream().filter(l -> !l.startsWith("#"))
                    .map(l -> l.split("\t")[1]).toList();
            List<String> want = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                want.add(String.format("s%05d", i));
            }
            assertEquals(want, names);
        }
    }

    /**
     * The two other ways in: the metadata server of GCE and GKE (Workload Identity), found by
     * Google's library at GCE_METADATA_HOST, and anonymous reads of a public bucket where there
     * are no credentials at all (no variable, no gcloud file under HOME, no metadata server).
     */
    @Test
    void readsWithTheMetadataServersTokenOrAnonymously(@TempDir Path dir) throws Exception {
        try (FakeGcs fake = new FakeGcs(TestSecrets.GCS_API_KEY)) {
            fake.put("b", "a.txt", "public or not".getBytes(StandardCharsets.UTF_8));
            Path home = Files.createDirectories(dir.resolve("home"));
            Path cfg = Files.writeString(dir.resolve("c.yaml"), config(freePort(), gcs("gcs", fake, "b", "")));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            try (MsfsProcess msfs = MsfsProcess.mount(Map.of("GOOGLE_APPLICATION_CREDENTIALS", "", "HOME", home.toString(),
                    "GCE_METADATA_HOST", fake.endpoint().substring("http://".length())), mnt, "--config", cfg.toString())) {
                assertEquals("public or not", Files.readString(mnt.resolve("gcs/a.txt")));
                assertTrue(fake.metadataTokens.get() >= 1, "the metadata server gave no token");
                assertEquals(0, fake.unauthorized.get());
                assertTrue(msfs.log().contains("(Application Default Credentials (ComputeEngineCredentials))"), msfs.log());
            }
            fake.anonymous = true;
            try (MsfsProcess msfs = MsfsProcess.mount(Map.of("GOOGLE_APPLICATION_CREDENTIALS", "", "HOME", home.toString(),
                    "NO_GCE_CHECK", "true"), mnt, "--config", cfg.toString())) {
                assertEquals("public or not", Files.readString(mnt.resolve("gcs/a.txt")));
                assertTrue(msfs.log().contains("(anonymous (no API key and no Application Default Credentials))"), msfs.log());
            }
        }
    }

    @Test
    void wrongCredentialsAreClearErrorsNamingTheBackendAndTheOthersServe(@TempDir Path dir) throws Exception {
        try (FakeGcs fake = new FakeGcs(TestSecrets.GCS_API_KEY); FakeGcs other = new FakeGcs("unused")) {
            fake.put("b", "a.txt", "through the key".getBytes(StandardCharsets.UTF_8));
            // A key file signed by another account's key: the token service refuses its JWT.
            Path foreignKey = Files.writeString(dir.resolve("foreign.json"),
                    other.serviceAccountJson().replace(other.endpoint(), fake.endpoint()));
            int port = freePort();
            Path cfg = Files.writeString(dir.resolve("c.yaml"), config(port,
                    gcs("keyed", fake, "b", ", api_key: " + TestSecrets.GCS_API_KEY)
                            + gcs("badkey", fake, "b", ", api_key: not-the-key") + gcs("adc", fake, "b", "")));
            Path mnt = Files.createDirectories(dir.resolve("mnt"));
            Map<String, String> env = Map.of("GOOGLE_APPLICATION_CREDENTIALS", foreignKey.toString(), "NO_GCE_CHECK", "true");
            try (MsfsProcess msfs = MsfsProcess.mount(env, mnt, "--config", cfg.toString())) {
                assertEquals("through the key", Files.readString(mnt.resolve("keyed/a.txt")));
                org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> names(mnt.resolve("badkey")));
                IOException denied = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> names(mnt.resolve("adc")));
                assertTrue(denied instanceof java.nio.file.AccessDeniedException, denied.toString());
                assertTrue(fake.refusedTokens.get() > 0, "the foreign key's JWT was not refused");
                String backends = get(port, "/backends");
                assertTrue(backends.contains("\"store\":\"GCS " + fake.endpoint() + " bucket b (API key)\",\"probe\":\"list b/: HTTP 400 (API key not valid. Please pass a valid API key.)"), backends);
                assertTrue(msfs.log().contains("invalid JWT signature"), "the token service's reason is logged: " + msfs.log());
                assertFalse(msfs.log().contains(TestSecrets.GCS_API_KEY), "the API key reached the log");
            }
            // A credentials file that is not one: the backend is skipped with the reason, naming it; PSEUDO still mounts.
            Path garbage = Files.writeString(dir.resolve("garbage.json"), "{\"type\": \"service_account\", \"private_key\": 42");
            Path cfg2 = Files.writeString(dir.resolve("c2.yaml"), config(freePort(), gcs("adc", fake, "b", "")));
            try (MsfsProcess msfs = MsfsProcess.mount(Map.of("GOOGLE_APPLICATION_CREDENTIALS", garbage.toString(),
                    "NO_GCE_CHECK", "true"), mnt, "--config", cfg2.toString())) {
                assertEquals(List.of("pseudo"), names(mnt));
                assertTrue(msfs.log().contains("backend adc cannot start, and is skipped (the others are mounted): backend \"adc\": "
                        + "GCS credentials: GOOGLE_APPLICATION_CREDENTIALS " + garbage + " cannot be used: not a credentials file"), msfs.log());
            }
        }
    }
}
