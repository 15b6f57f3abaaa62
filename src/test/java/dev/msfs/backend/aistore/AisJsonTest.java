package dev.msfs.backend.aistore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class AisJsonTest {
    @Test
    void theCliTokenFileIsJsonAndABareTokenStillWorks() throws Exception {
        assertEquals("eyJh.b.c", AisJson.token("{\"token\": \"eyJh.b.c\"}\n"));
        assertEquals("eyJh.b.c", AisJson.token("{\"expires\": 1, \"token\": \"eyJh.b.c\"}"));
        assertEquals("bare-token", AisJson.token("  bare-token\n"));
    }

    /** One control character in a name is a character, not an unreadable page (SnakeYAML refused the whole page). */
    @Test
    void listingPagesWithControlCharactersParse() throws Exception {
        AisJson.Page page = AisJson.listing("{\"entries\": [{\"name\": \"d/a\\u0085b\", \"size\": 3, \"checksum\": \"x1\", \"flags\": 0},"
                + "{\"name\": \"d/sub/\", \"flags\": 256}], \"continuation_token\": \"t\", \"uuid\": \"u\", \"flags\": 0}");
        assertEquals(List.of(new AisJson.Entry("d/a\u0085b", 3, "x1", "", ""), new AisJson.Entry("d/sub/", 0, "", "", "")), page.entries());
        assertEquals("t", page.continuationToken());
        assertEquals("u", page.uuid());
    }

    @Test
    void redirectLocationsAreEscapedWhereAisDoesNot() {
        assertEquals(URI.create("http://t:8081/v1/objects/b/img%5B1%5D%20%7Ba%7D.png?provider=s3"),
                AIStoreBackend.lenientUri("http://t:8081/v1/objects/b/img[1] {a}.png?provider=s3"));
        assertEquals(URI.create("http://[::1]:8081/v1/objects/b/x%25y"), AIStoreBackend.lenientUri("http://[::1]:8081/v1/objects/b/x%25y"));
    }
}
