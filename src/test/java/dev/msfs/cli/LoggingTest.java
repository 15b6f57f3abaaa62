package dev.msfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {
    /** A key holding a newline (S3 allows it) cannot forge a second log line in the text format. */
    @Test
    void textLogsEscapeControlCharactersInMessages() {
        LogRecord r = new LogRecord(Level.WARNING, "read a\n2026-01-01T00:00:00Z ERROR forged: x\u001b[31m\u0085 failed");
        r.setLoggerName("dev.msfs.fs.Namespace");
        String line = new Logging.OneLine().format(r);
        assertEquals(1, line.split("\n", -1).length - 1, line);
        assertTrue(line.contains("read a\\n2026-01-01T00:00:00Z ERROR forged: x\\u001b[31m\\u0085 failed"), line);
    }
}
