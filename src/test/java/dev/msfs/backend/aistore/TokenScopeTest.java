package dev.msfs.backend.aistore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TokenScopeTest {
    private static final String SMAP = """
            {"pmap": {"p1": {"public_net": {"node_ip_addr": "ais-proxy", "daemon_port": "51080",
                                            "direct_url": "https://ais-proxy:51080"},
                             "intra_control_net": {"node_ip_addr": "10.0.0.2", "daemon_port": "9080", "direct_url": ""}}},
             "tmap": {"t1": {"public_net": {"node_ip_addr": "10.0.0.5", "daemon_port": "51081",
                                            "direct_url": "https://10.0.0.5:51081"},
                             "intra_data_net": {"node_ip_addr": "fd00::7", "daemon_port": "10081",
                                                "direct_url": "https://[FD00::7]:10081"}}},
             "uuid": "x", "version": "12"}
            """;

    @Test
    void theClusterMapNamesEveryNodeOnEveryNetwork() throws IOException {
        assertEquals(Set.of("ais-proxy:51080", "10.0.0.2:9080", "10.0.0.5:51081", "fd00::7:10081"),
                AisJson.clusterAuthorities(SMAP));
    }

    @Test
    void theTokenFollowsOnlyToClusterHostsOverTheEndpointsScheme() {
        AtomicInteger reads = new AtomicInteger();
        TokenScope scope = new TokenScope(URI.create("https://ais.example:51080"), () -> {
            reads.incrementAndGet();
            return SMAP;
        });
        assertTrue(scope.allows(URI.create("https://ais.example:51080/v1/objects/b/o")), "the endpoint itself");
        assertEquals(0, reads.get(), "the endpoint needs no map");
        assertTrue(scope.allows(URI.create("https://10.0.0.5:51081/v1/objects/b/o")), "a target in the map");
        assertTrue(scope.allows(URI.create("https://[fd00::7]:10081/v1/objects/b/o")), "an IPv6 target in the map");
        assertFalse(scope.allows(URI.create("http://10.0.0.5:51081/v1/objects/b/o")), "https to http, even to a target");
        assertFalse(scope.allows(URI.create("http://ais.example:51080/v1/objects/b/o")), "https to http on the same host");
        assertFalse(scope.allows(URI.create("https://attacker.example/v1/objects/b/o")), "a host outside the map");
        assertFalse(scope.allows(URI.create("https://10.0.0.5:51082/v1/objects/b/o")), "another port of a target");
        assertEquals(1, reads.get(), "unknown hosts re-read the map at most once per interval");
    }

    @Test
    void anUnreadableMapLeavesOnlyTheEndpoint() {
        TokenScope scope = new TokenScope(URI.create("http://proxy:8080"), () -> {
            throw new IOException("HTTP 404");
        });
        assertTrue(scope.allows(URI.create("http://proxy:8080/v1/objects/b/o")));
        assertTrue(scope.allows(URI.create("http://PROXY/v1/x").resolve("http://proxy:8080/y")));
        assertFalse(scope.allows(URI.create("http://target:8081/v1/objects/b/o")));
    }
}
