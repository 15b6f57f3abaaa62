package dev.msfs.backend;

/**
 * A backend request that failed. {@link Kind} decides the errno the kernel sees; {@link #status}
 * and {@link #code} say what the store (or its client library) answered, so callers decide on
 * them, never on the message, which is for people.
 */
public final class BackendException extends Exception {
    public enum Kind { NOT_FOUND, ACCESS_DENIED, CHANGED, TIMEOUT, IO }

    private final Kind kind;
    private final int status;
    private final String code;

    public BackendException(Kind kind, String message) {
        this(kind, message, 0, "", null);
    }

    public BackendException(Kind kind, String message, Throwable cause) {
        this(kind, message, 0, "", cause);
    }

    /**
     * @param status the HTTP status the store answered, 0 if none came back
     * @param code   the store's error code ({@code NoSuchKey}, {@code SlowDown}, …) or the client
     *               library's ({@code AWS_ERROR_S3_MISSING_ETAG}), "" if none
     */
    public BackendException(Kind kind, String message, int status, String code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
