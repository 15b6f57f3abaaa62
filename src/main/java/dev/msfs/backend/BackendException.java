package dev.msfs.backend;

/** A backend request that failed; {@link Kind} decides the errno the kernel sees. */
public final class BackendException extends Exception {
    public enum Kind { NOT_FOUND, ACCESS_DENIED, CHANGED, TIMEOUT, IO }

    private final Kind kind;

    public BackendException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
