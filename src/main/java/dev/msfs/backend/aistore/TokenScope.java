package dev.msfs.backend.aistore;

import java.net.URI;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Where the bearer token may follow a redirect. AIStore's proxy redirects reads to the target that
 * holds the object, another host, so a same-host rule would break every real cluster; but a
 * token sent to whatever a Location names goes wherever a hostile or confused server points. The
 * rule: the token goes to the endpoint's own host and port, and to the hosts of the cluster's
 * proxies and targets as its cluster map ({@code GET /v1/daemon?what=smap}) names them; and only
 * over the endpoint's scheme, so never from https to plain http.
 *
 * <p>The map is read when a redirect names a host it lacks (a new target joined), at most once
 * per {@link #REREAD_NANOS}.
 */
final class TokenScope {
    private static final Logger LOG = Logger.getLogger(TokenScope.class.getName());
    static final long REREAD_NANOS = 10_000_000_000L;

    /** Reads the cluster map's JSON; any failure leaves the hosts known so far. */
    @FunctionalInterface
    interface MapReader {
        String read() throws Exception;
    }

    private final URI endpoint;
    private final MapReader reader;
    private volatile Set<String> cluster = Set.of(); // replaced whole: readers need no lock
    private long readAtNanos;                        // guarded by this
    private boolean everRead;                        // guarded by this
    private boolean refusalLogged;                   // guarded by this

    TokenScope(URI endpoint, MapReader reader) {
        this.endpoint = endpoint;
        this.reader = reader;
    }

    /** Whether a request redirected to {@code target} may carry the token. */
    boolean allows(URI target) {
        if (!String.valueOf(endpoint.getScheme()).equalsIgnoreCase(target.getScheme())) {
            refused(target, "it changes the scheme from " + endpoint.getScheme() + " to " + target.getScheme());
            return false;
        }
        String authority = AisJson.authority(target);
        if (authority.equals(AisJson.authority(endpoint)) || cluster.contains(authority)) {
            return true;
        }
        synchronized (this) {
            if (!everRead || System.nanoTime() - readAtNanos > REREAD_NANOS) {
                everRead = true;
                readAtNanos = System.nanoTime(); // before the read: a redirected map read comes back here
                readMap();
            }
            if (cluster.contains(authority)) {
                return true;
            }
            refused(target, "the cluster map does not name " + authority);
            return false;
        }
    }

    private synchronized void readMap() {
        try {
            cluster = Set.copyOf(AisJson.clusterAuthorities(reader.read()));
        } catch (Exception e) {
            LOG.warning("AIStore " + endpoint + ": cannot read the cluster map (" + e.getMessage()
                    + "); the token follows redirects only to hosts it named before");
        }
    }

    private synchronized void refused(URI target, String why) {
        if (!refusalLogged) {
            refusalLogged = true;
            LOG.warning("AIStore " + endpoint + ": a redirect to " + target.getScheme() + "://" + target.getRawAuthority()
                    + " was followed without the token, since " + why + " (logged once)");
        }
    }
}
