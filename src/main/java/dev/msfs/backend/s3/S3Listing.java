package dev.msfs.backend.s3;

import dev.msfs.backend.ListPage;
import dev.msfs.backend.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * One ListObjects (V1 or V2) page as the store sent it: Contents (objects) and CommonPrefixes
 * (directories) below the listed prefix.
 *
 * <p>Keys may hold any character, and XML 1.0 cannot carry most control characters, so msfs asks
 * for {@code encoding-type=url} and decodes the keys when the answer says {@code
 * <EncodingType>url</EncodingType>} (which may come after the keys). A store that ignores the
 * request sends such bytes raw: they would make the whole page unparsable, so each is replaced by
 * '/', which no listed name can hold, and the entries that got one are left out (tab and LF are
 * legal XML and stay). One odd key never fails a directory.
 *
 * @param lastName the last key or prefix listed (whichever sorts last), where V1 goes on without NextMarker
 * @param unshown  how many listed keys cannot be shown (raw control characters, bad percent-encoding)
 */
record S3Listing(List<ObjectInfo> entries, String continuationToken, boolean truncated, String nextMarker, String lastName,
                 int unshown) {
    static final XMLInputFactory XML = hardenedXml(); // no DTDs, no external entities: a store cannot make msfs read files

    /** V2 goes on while there is a token; IsTruncated is not trusted (some stores set it wrongly). */
    String nextV2() {
        return continuationToken == null || continuationToken.isEmpty() ? null : continuationToken;
    }

    /** The page msfs serves: any key or prefix listed (a folder marker too) proves the directory. */
    ListPage page(boolean v2) {
        String next = v2 ? nextV2() : nextV1();
        return new ListPage(entries, next, lastName != null || next != null);
    }

    /** V1 has no token: it goes on after NextMarker, else after the last name, while the page is truncated. */
    String nextV1() {
        if (!truncated) {
            return null;
        }
        return nextMarker != null && !nextMarker.isEmpty() ? nextMarker : lastName;
    }

    static S3Listing parse(byte[] xml, String fullPrefix) throws XMLStreamException {
        XMLStreamReader r = XML.createXMLStreamReader(new ByteArrayInputStream(withoutRawControls(xml)));
        List<Map<String, String>> objects = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        Map<String, String> fields = new HashMap<>();
        Map<String, String> top = new LinkedHashMap<>();
        int depth = 0;
        StringBuilder text = new StringBuilder();
        while (r.hasNext()) {
            switch (r.next()) {
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    text.setLength(0);
                    if (r.getLocalName().equals("Contents") || r.getLocalName().equals("CommonPrefixes")) {
                        fields = new HashMap<>();
                    }
                }
                case XMLStreamConstants.CHARACTERS -> text.append(r.getText());
                case XMLStreamConstants.END_ELEMENT -> {
                    depth--;
                    switch (r.getLocalName()) {
                        case "Contents" -> objects.add(fields);
                        case "CommonPrefixes" -> prefixes.add(fields.getOrDefault("Prefix", ""));
                        default -> (depth == 1 ? top : fields).put(r.getLocalName(), text.toString());
                    }
                    text.setLength(0);
                }
                default -> { }
            }
        }
        UnaryOperator<String> key = "url".equals(top.get("EncodingType")) ? S3Listing::urlDecoded : k -> k;
        List<ObjectInfo> entries = new ArrayList<>();
        String lastName = null;
        int unshown = 0;
        for (Map<String, String> o : objects) {
            String k = key.apply(o.getOrDefault("Key", ""));
            lastName = later(lastName, k);
            String name = k == null || !k.startsWith(fullPrefix) ? null : k.substring(fullPrefix.length());
            if (name == null || name.contains("/")) {
                unshown++;
            } else if (!name.isEmpty()) { // "dir/" marker objects are the directory itself
                entries.add(new ObjectInfo(name, false, Long.parseLong(o.getOrDefault("Size", "0")),
                        Instant.parse(o.getOrDefault("LastModified", "1970-01-01T00:00:00Z")).toEpochMilli(),
                        S3Backend.unquote(o.getOrDefault("ETag", ""))));
            }
        }
        for (String encoded : prefixes) {
            String p = key.apply(encoded);
            lastName = later(lastName, p);
            String name = p == null || !p.startsWith(fullPrefix) || !p.endsWith("/") ? null
                    : p.substring(fullPrefix.length(), p.length() - 1);
            if (name == null || name.contains("/")) {
                unshown++;
            } else if (!name.isEmpty()) {
                entries.add(ObjectInfo.dir(name, 0));
            }
        }
        String nextMarker = top.get("NextMarker") == null ? null : key.apply(top.get("NextMarker"));
        return new S3Listing(entries, top.get("NextContinuationToken"), "true".equals(top.get("IsTruncated")),
                nextMarker, lastName, unshown);
    }

    /**
     * Bytes XML 1.0 forbids anywhere (C0 controls but tab, LF and CR) become '/', and so does a CR
     * that ends no line (a parser would turn it into LF, naming another key); nothing else changes.
     */
    static byte[] withoutRawControls(byte[] xml) {
        byte[] out = null;
        for (int i = 0; i < xml.length; i++) {
            byte b = xml[i];
            boolean loneCr = b == '\r' && (i + 1 == xml.length || xml[i + 1] != '\n');
            if (loneCr || b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                if (out == null) {
                    out = xml.clone();
                }
                out[i] = '/';
            }
        }
        return out == null ? xml : out;
    }

    /**
     * A key as {@code encoding-type=url} sent it, decoded the way AWS's SDKs decode it ('+' is a
     * space); null when it is not valid percent-encoded UTF-8.
     */
    static String urlDecoded(String s) {
        ByteBuffer bytes = ByteBuffer.allocate(s.length() * 3);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(s.charAt(i + 2), 16);
                if (lo < 0) {
                    return null;
                }
                bytes.put((byte) (hi << 4 | lo));
                i += 2;
            } else if (c == '+') {
                bytes.put((byte) ' ');
            } else {
                bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(bytes.flip()).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String later(String a, String b) {
        return b == null ? a : a == null || b.compareTo(a) > 0 ? b : a;
    }

    /** Listings come from the network: no DTDs and no external entities (XXE: local files in names, SSRF). */
    private static XMLInputFactory hardenedXml() {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }
}
