package dev.msfs.backend.aistore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.msfs.backend.ObjectInfo;
import dev.msfs.backend.Times;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON msfs reads from AIStore, through Jackson's streaming parser: a listing page
 * ({@code LsoRes}: entries and the continuation token) and the CLI's token file. No size limit on
 * a page but memory, and control characters in names are only characters.
 */
final class AisJson {
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();

    /** One listed entry as AIStore sends it ({@code LsoEnt}). */
    record Entry(String name, long size, String checksum, String version, String atime) {
    }

    /**
     * @param uuid  the listing job on the cluster: sent back with the next page so one listing is
     *              one job, not a new walk per page
     * @param flags bit 0: the listing ran during a rebalance and may be incomplete
     */
    record Page(List<Entry> entries, String continuationToken, String uuid, long flags) {
    }

    private AisJson() {
    }

    static Page listing(String json) throws IOException {
        List<Entry> entries = new ArrayList<>();
        String token = null;
        String uuid = "";
        long flags = 0;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("entries") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        entries.add(entry(p));
                    }
                } else if (field.equals("continuation_token") && value == JsonToken.VALUE_STRING) {
                    token = p.getText();
                } else if (field.equals("uuid") && value == JsonToken.VALUE_STRING) {
                    uuid = p.getText();
                } else if (field.equals("flags") && value == JsonToken.VALUE_NUMBER_INT) {
                    flags = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        return new Page(entries, token, uuid, flags);
    }

    /** The token in the CLI's token file ({@code {"token": "…"}}), or the file's text when it is a bare token. */
    static String token(String fileText) throws IOException {
        String text = fileText.strip();
        if (!text.startsWith("{")) {
            return text;
        }
        try (JsonParser p = JSON.createParser(text)) {
            expect(p.nextToken(), JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING && field.equals("token")) {
                    return p.getText();
                }
                p.skipChildren();
            }
        }
        return "";
    }

    /**
     * Every {@code host:port} a cluster map ({@code GET /v1/daemon?what=smap}) names: each node's
     * {@code direct_url} and {@code node_ip_addr}/{@code daemon_port}, on every network, for
     * proxies and targets alike. Hosts are lower-case, IPv6 literals without brackets.
     */
    static java.util.Set<String> clusterAuthorities(String json) throws IOException {
        java.util.Set<String> out = new java.util.HashSet<>();
        java.util.Deque<String[]> hostAndPort = new java.util.ArrayDeque<>(); // one per open object
        try (JsonParser p = JSON.createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT -> hostAndPort.push(new String[2]);
                    case END_OBJECT -> {
                        String[] hp = hostAndPort.pop();
                        if (hp[0] != null && hp[1] != null && !hp[0].isEmpty()) {
                            out.add(authority(hp[0], hp[1]));
                        }
                    }
                    case VALUE_STRING -> {
                        String field = String.valueOf(p.currentName());
                        switch (field) {
                            case "direct_url" -> directUrlAuthority(p.getText()).ifPresent(out::add);
                            case "node_ip_addr" -> hostAndPort.peek()[0] = p.getText();
                            case "daemon_port" -> hostAndPort.peek()[1] = p.getText();
                            default -> { }
                        }
                    }
                    default -> { }
                }
            }
        }
        return out;
    }

    /** {@code host:port} of a URI as {@link #clusterAuthorities} writes it, the scheme's port when it has none. */
    static String authority(java.net.URI u) {
        int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return authority(String.valueOf(u.getHost()), Integer.toString(port));
    }

    private static String authority(String host, String port) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }

    private static java.util.Optional<String> directUrlAuthority(String url) {
        try {
            java.net.URI u = new java.net.URI(url);
            return u.getHost() == null ? java.util.Optional.empty() : java.util.Optional.of(authority(u));
        } catch (java.net.URISyntaxException e) {
            return java.util.Optional.empty();
        }
    }

    private static Entry entry(JsonParser p) throws IOException {
        String name = "";
        long size = 0;
        String checksum = "";
        String version = "";
        String atime = "";
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = p.getText();
                // AIStore sends sizes as numbers; older fakes and gateways as strings
                case "size" -> size = value == JsonToken.VALUE_STRING ? Long.parseLong(p.getText()) : p.getLongValue();
                case "checksum" -> checksum = value == JsonToken.VALUE_NULL ? "" : p.getText();
                case "version" -> version = value == JsonToken.VALUE_NULL ? "" : p.getText();
                case "atime" -> atime = value == JsonToken.VALUE_NULL ? "" : p.getText();
                default -> p.skipChildren();
            }
        }
        return new Entry(name, size, checksum, version, atime);
    }

    private static void expect(JsonToken got, JsonToken wanted) throws IOException {
        if (got != wanted) {
            throw new IOException("expected " + wanted + ", got " + got);
        }
    }

    /** A listed entry below {@code fullPrefix} as a directory entry, or null for the folder marker itself or a deeper key. */
    static ObjectInfo toInfo(Entry e, String fullPrefix) {
        String rest = e.name().substring(fullPrefix.length());
        if (rest.endsWith("/") && rest.length() > 1 && rest.indexOf('/') == rest.length() - 1) {
            return ObjectInfo.dir(rest.substring(0, rest.length() - 1), 0);
        }
        if (!rest.isEmpty() && rest.indexOf('/') < 0) {
            return new ObjectInfo(rest, false, e.size(), Times.epochMillis(e.atime()), AisVersion.listed(e.version(), e.checksum()));
        }
        return null;
    }
}
