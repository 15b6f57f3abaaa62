package dev.msfs.backend.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.msfs.backend.BackendException;
import dev.msfs.backend.ObjectInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3BackendTest {
    @Test
    void listingXmlBecomesFilesAndDirectories() throws Exception {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>b</Name><Prefix>p/</Prefix><KeyCount>4</KeyCount><MaxKeys>2</MaxKeys><Delimiter>/</Delimiter>
                  <IsTruncated>true</IsTruncated>
                  <Contents><Key>p/</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified><ETag>"d41d"</ETag><Size>0</Size></Contents>
                  <Contents><Key>p/a &amp; b.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
                    <ETag>&quot;abc123&quot;</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>
                  <CommonPrefixes><Prefix>p/sub/</Prefix></CommonPrefixes>
                  <NextContinuationToken>tok/en+1=</NextContinuationToken>
                </ListBucketResult>
                """;
        S3Listing page = S3Listing.parse(xml.getBytes(StandardCharsets.UTF_8), "p/");
        assertEquals(List.of(new ObjectInfo("a & b.txt", false, 42, 1767323045000L, "abc123"), ObjectInfo.dir("sub", 0)),
                page.entries());
        assertEquals("tok/en+1=", page.nextV2());
    }

    @Test
    void keysAndQueryValuesAreEncodedForSigV4() {
        assertEquals("a/b%20c/%C3%BC~x", S3Connection.encode("a/b c/ü~x", false));
        assertEquals("a%2Fb%2Bc%3D", S3Connection.encode("a/b+c=", true));
    }

    /** Decisions follow the status and code the store sent, never the words of a message. */
    @Test
    void errorsAreRecognisedByStatusAndCodeNotByMessage() {
        BackendException pastEnd = new BackendException(BackendException.Kind.IO, "GET b/k: range", 416, "InvalidRange", null);
        BackendException saysSo = new BackendException(BackendException.Kind.IO, "GET b/HTTP 416 MISSING_ETAG: HTTP 500", 500,
                "InternalError", null);
        BackendException noEtag = new BackendException(BackendException.Kind.IO, "GET b/k: failed", 200,
                "AWS_ERROR_S3_MISSING_ETAG", null);
        assertTrue(S3Backend.rangeNotSatisfiable(pastEnd));
        assertFalse(S3Backend.rangeNotSatisfiable(saysSo));
        assertTrue(S3Backend.missingEtag(noEtag));
        assertFalse(S3Backend.missingEtag(saysSo));
    }

    /** V2 follows the continuation token alone: a wrong IsTruncated neither ends a listing early nor loops it. */
    @Test
    void v2ListingsFollowTheTokenNotIsTruncated() throws Exception {
        String lying = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents>"
                + "<NextContinuationToken>more</NextContinuationToken></ListBucketResult>";
        String lyingOtherWay = "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a</Key><Size>1</Size></Contents>"
                + "</ListBucketResult>";
        assertEquals("more", S3Listing.parse(lying.getBytes(StandardCharsets.UTF_8), "").nextV2());
        assertEquals(null, S3Listing.parse(lyingOtherWay.getBytes(StandardCharsets.UTF_8), "").nextV2());
    }

    /** V1 (ListObjects) goes on after NextMarker, else after the last key or prefix, while the page is truncated. */
    @Test
    void v1ListingsGoOnAfterTheMarkerOrTheLastName() throws Exception {
        String noMarker = "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>p/a</Key><Size>1</Size></Contents>"
                + "<CommonPrefixes><Prefix>p/z/</Prefix></CommonPrefixes><Contents><Key>p/m</Key><Size>1</Size></Contents>"
                + "</ListBucketResult>";
        String withMarker = "<ListBucketResult><IsTruncated>true</IsTruncated><NextMarker>p/q</NextMarker>"
                + "<Contents><Key>p/a</Key><Size>1</Size></Contents></ListBucketResult>";
        String last = "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>p/a</Key><Size>1</Size></Contents>"
                + "</ListBucketResult>";
        assertEquals("p/z/", S3Listing.parse(noMarker.getBytes(StandardCharsets.UTF_8), "p/").nextV1());
        assertEquals("p/q", S3Listing.parse(withMarker.getBytes(StandardCharsets.UTF_8), "p/").nextV1());
        assertEquals(null, S3Listing.parse(last.getBytes(StandardCharsets.UTF_8), "p/").nextV1());
    }

    /** A listing that declares external entities (a local file, a URL) never brings their content in. */
    @Test
    void listingsWithExternalEntitiesFailCleanlyAndReadNothing(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path secret = java.nio.file.Files.writeString(dir.resolve("secret"), dev.msfs.TestSecrets.HOSTILE_FILE);
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE ListBucketResult [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]>"
                + "<ListBucketResult><Contents><Key>&x;</Key><Size>1</Size></Contents></ListBucketResult>";
        try {
            S3Listing l = S3Listing.parse(xml.getBytes(StandardCharsets.UTF_8), "");
            assertFalse(l.entries().toString().contains(dev.msfs.TestSecrets.HOSTILE_FILE), l.entries().toString());
        } catch (javax.xml.stream.XMLStreamException refused) {
            assertFalse(String.valueOf(refused.getMessage()).contains(dev.msfs.TestSecrets.HOSTILE_FILE), refused.getMessage());
        }
    }

    /** Keys as encoding-type=url sends them are decoded once the answer says so, wherever it says it. */
    @Test
    void urlEncodedKeysAreDecodedWhenTheAnswerSaysSo() throws Exception {
        String encoded = "<ListBucketResult><Contents><Key>p/a%1Bb</Key><Size>1</Size></Contents>"
                + "<Contents><Key>p/sp%20ace+too%2Bplus%25</Key><Size>2</Size></Contents>"
                + "<Contents><Key>p/bad%zz</Key><Size>3</Size></Contents>"
                + "<Contents><Key>p/not-utf8%C3</Key><Size>4</Size></Contents>"
                + "<CommonPrefixes><Prefix>p/d%C3%BCr%07/</Prefix></CommonPrefixes>"
                + "<IsTruncated>true</IsTruncated><NextMarker>p/sp%20ace</NextMarker><EncodingType>url</EncodingType></ListBucketResult>";
        S3Listing l = S3Listing.parse(encoded.getBytes(StandardCharsets.UTF_8), "p/");
        assertEquals(List.of("a\u001bb", "sp ace too+plus%", "d\u00fcr\u0007"), l.entries().stream().map(ObjectInfo::name).toList());
        assertEquals(2, l.unshown());
        assertEquals("p/sp ace", l.nextV1());

        String plain = "<ListBucketResult><Contents><Key>p/100%25+1</Key><Size>1</Size></Contents></ListBucketResult>";
        assertEquals("100%25+1", S3Listing.parse(plain.getBytes(StandardCharsets.UTF_8), "p/").entries().getFirst().name(),
                "a store that did not encode is not decoded");
    }

    /** A store that ignores encoding-type sends control characters raw: those keys are left out, the rest lists. */
    @Test
    void rawControlCharactersLoseTheirKeyNotTheListing() throws Exception {
        String raw = "<?xml version=\"1.0\"?>\n<ListBucketResult><Contents><Key>p/ok</Key><Size>1</Size></Contents>"
                + "<Contents><Key>p/a\u001bb</Key><Size>1</Size></Contents>"
                + "<CommonPrefixes><Prefix>p/c\u0001d/</Prefix></CommonPrefixes>"
                + "<Contents><Key>p/lone-cr\r</Key><Size>1</Size></Contents>\r\n"
                + "<Contents><Key>p/tab\there</Key><Size>1</Size></Contents></ListBucketResult>";
        S3Listing l = S3Listing.parse(raw.getBytes(StandardCharsets.UTF_8), "p/");
        assertEquals(List.of("ok", "tab\there"), l.entries().stream().map(ObjectInfo::name).toList());
        assertEquals(3, l.unshown());
    }
}
