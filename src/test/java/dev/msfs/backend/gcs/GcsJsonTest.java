package dev.msfs.backend.gcs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class GcsJsonTest {
    @Test
    void readsAListingPageAsTheJsonApiWritesIt() throws IOException {
        GcsJson.Page p = GcsJson.page("""
                {"kind": "storage#objects", "nextPageToken": "CgNhL2I=",
                 "prefixes": ["d/a/", "d/b/"],
                 "items": [{"kind": "storage#object", "name": "d/x.bin", "bucket": "b", "size": "12345678901",
                            "generation": "1700000000000001", "metageneration": "3", "updated": "2026-01-02T03:04:05.678Z",
                            "crc32c": "yZRlqg==", "metadata": {"k": "v"}, "acl": [{"entity": "x"}]}]}
                """);
        assertEquals(List.of("d/a/", "d/b/"), p.prefixes());
        assertEquals("CgNhL2I=", p.nextPageToken());
        GcsJson.Item i = p.items().getFirst();
        assertEquals("d/x.bin", i.name());
        assertEquals(12_345_678_901L, i.size());
        assertEquals("1700000000000001/3", i.version(), "MSFS's version: generation/metageneration");
        assertEquals("yZRlqg==", i.crc32c());
    }

    @Test
    void aLastPageHasNoToken() throws IOException {
        GcsJson.Page p = GcsJson.page("{\"kind\": \"storage#objects\", \"nextPageToken\": \"\"}");
        assertNull(p.nextPageToken());
        assertEquals(List.of(), p.items());
    }

    @Test
    void refusesAnObjectWithoutAName() {
        assertThrows(IOException.class, () -> GcsJson.object("{\"size\": \"1\"}"));
    }

    @Test
    void errorMessagesAreTakenWhereTheyAreJson() {
        assertEquals("No such object: b/x", GcsJson.errorMessage(
                "{\"error\": {\"code\": 404, \"message\": \"No such object: b/x\", \"errors\": [{\"message\": \"later\"}]}}"));
        assertEquals("", GcsJson.errorMessage("<html>Bad Gateway</html>"));
        assertEquals(201, GcsJson.errorMessage("{\"error\": {\"message\": \"" + "x".repeat(500) + "\"}}").length());
    }
}
