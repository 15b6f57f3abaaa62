package dev.msfs.fuse;

/** A mount that could not be made or served; the message is for the user as it is. */
public final class FuseException extends Exception {
    public FuseException(String message) {
        super(message);
    }
}
