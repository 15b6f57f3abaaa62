package dev.msfs.backend.gcs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON API's answers msfs reads, through Jackson's streaming parser: an object resource
 * (storage#object: sizes and generations are strings of digits there) and a listing page
 * (storage#objects: items, prefixes and nextPageToken). Unknown fields are skipped.
 */
final class GcsJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();

    /** An object's metadata; {@code crc32c} is base64 of the big-endian checksum, or "". */
    record Item(String name, long size, long generation, long metageneration, String updated, String crc32c) {
        /** MSFS's version of a GCS object: generation/metageneration. */
        String version() {
            return generation + "/" + metageneration;
        }
    }

    record Page(List<Item> items, List<String> prefixes, String nextPageToken) {
    }

    private GcsJson() {
    }

    static Item object(String json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            return item(p);
        }
    }

    static Page page(String json) throws IOException {
        List<Item> items = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String next = null;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        items.add(item(p));
                    }
                } else if (field.equals("prefixes") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        prefixes.add(p.getText());
                    }
                } else if (field.equals("nextPageToken") && value == JsonToken.VALUE_STRING) {
                    next = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Page(items, prefixes, next == null || next.isEmpty() ? null : next);
    }

    /** The message of a JSON API error ({"error": {"message": …}}), at most 200 characters, or "". */
    static String errorMessage(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals("message") && p.nextToken() == JsonToken.VALUE_STRING) {
                    String m = p.getText();
                    return m.length() > 200 ? m.substring(0, 200) + "…" : m;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: nothing to add
        }
        return "";
    }

    /** The fields of an object, the parser just past its START_OBJECT. */
    private static Item item(JsonParser p) throws IOException {
        String name = null;
        String updated = "";
        String crc32c = "";
        long size = 0;
        long generation = 0;
        long metageneration = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "name" -> name = p.getText();
                case "size" -> size = Long.parseLong(p.getText());
                case "generation" -> generation = Long.parseLong(p.getText());
                case "metageneration" -> metageneration = Long.parseLong(p.getText());
                case "updated" -> updated = p.getText();
                case "crc32c" -> crc32c = p.getText();
                default -> p.skipChildren();
            }
        }
        if (name == null) {
            throw new IOException("an object without a name");
        }
        return new Item(name, size, generation, metageneration, updated, crc32c);
    }

    private static void expect(JsonToken got, JsonToken want) throws IOException {
        if (got != want) {
            throw new IOException("expected " + want + ", found " + got);
        }
    }
}
