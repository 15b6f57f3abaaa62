package dev.msfs.config;

/** A config that cannot be used; the message is meant for the user as it is (no stack trace). */
public final class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }
}
