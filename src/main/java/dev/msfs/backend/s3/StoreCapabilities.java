package dev.msfs.backend.s3;

import java.util.logging.Logger;

/**
 * What one S3-compatible store has shown it supports, learned from its answers: every optional
 * feature is assumed until the store refuses it, then dropped for good (so later requests do not
 * pay a refused one first), and the change is logged once at info.
 */
final class StoreCapabilities {
    private static final Logger LOG = Logger.getLogger(StoreCapabilities.class.getName());

    private final String store;
    private volatile boolean checksumMode = true;
    private volatile boolean ifMatch = true;
    private volatile boolean listV2 = true;

    StoreCapabilities(String store) {
        this.store = store;
        LOG.info(() -> describe() + " (assumed until the store refuses one)");
    }

    /** The store sends and checks object checksums on request ({@code x-amz-checksum-mode}). */
    boolean checksumMode() {
        return checksumMode;
    }

    /** The store accepts {@code If-Match} on GETs (an ignored one is caught by comparing ETags). */
    boolean ifMatch() {
        return ifMatch;
    }

    /** The store answers ListObjectsV2 (else ListObjects, V1, with markers). */
    boolean listV2() {
        return listV2;
    }

    void refusedListV2(String why) {
        if (listV2) {
            listV2 = false;
            changed("ListObjectsV2 refused (" + why + "): listing with ListObjects (V1) and markers");
        }
    }

    void refusedChecksumMode(String why) {
        if (checksumMode) {
            checksumMode = false;
            changed("checksum mode refused (" + why + "): whole objects are read without checksum verification");
        }
    }

    void refusedIfMatch(String why) {
        if (ifMatch) {
            ifMatch = false;
            changed("If-Match refused (" + why + "): versions are checked by the ETag of each response");
        }
    }

    /** The capabilities line: what is assumed or known now. */
    String describe() {
        return store + " capabilities: checksum mode " + (checksumMode ? "yes" : "no") + ", If-Match " + (ifMatch ? "yes" : "no")
                + ", ListObjectsV2 " + (listV2 ? "yes" : "no");
    }

    private void changed(String what) {
        LOG.info(() -> store + ": " + what + "; " + describe());
    }
}
