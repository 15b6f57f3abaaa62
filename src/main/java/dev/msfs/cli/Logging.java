package dev.msfs.cli;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One line per event on stderr: time, level, thread, source, message (and a cause, if any). */
final class Logging {
    /** Held here: JUL keeps loggers weakly, and a collected one would forget its level. */
    private static final Logger MSFS = Logger.getLogger("dev.msfs");

    private Logging() {
    }

    /**
     * JUL's own shutdown hook resets the LogManager, which drops every handler while our hook is
     * still unmounting; this manager keeps them so the last lines of a SIGTERM are written.
     * Installed by {@link Main} before any logger exists.
     */
    public static final class KeepHandlersAtExit extends java.util.logging.LogManager {
        @Override
        public void reset() {
            // Handlers are managed by setup(); nothing to undo at exit.
        }
    }

    /** @param format "text" (one readable line per event) or "json" (one JSON object per line, for log collectors) */
    static void setup(String level, String format) {
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            root.removeHandler(h);
        }
        Level lvl = parse(level);
        ConsoleHandler handler = new ConsoleHandler();
        handler.setLevel(lvl);
        handler.setFormatter("json".equalsIgnoreCase(format) ? new JsonLine() : new OneLine());
        root.addHandler(handler);
        // Our level for our code; libraries and the JDK stay at INFO (their debug output is noise here).
        root.setLevel(lvl.intValue() < Level.INFO.intValue() ? Level.INFO : lvl);
        MSFS.setLevel(lvl);
    }

    private static Level parse(String level) {
        return switch (level == null ? "info" : level.toLowerCase(java.util.Locale.ROOT)) {
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            case "warn", "warning" -> Level.WARNING;
            case "error" -> Level.SEVERE;
            default -> Level.INFO;
        };
    }

    /** {"time": …, "level": …, "logger": …, "thread": …, "message": …, "error": …} on one line. */
    private static final class JsonLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(200).append("{\"time\":\"").append(Instant.ofEpochMilli(r.getMillis()))
                    .append("\",\"level\":\"").append(OneLine.name(r.getLevel()).strip())
                    .append("\",\"logger\":").append(quote(String.valueOf(r.getLoggerName())))
                    .append(",\"thread\":").append(r.getLongThreadID())
                    .append(",\"message\":").append(quote(formatMessage(r)));
            if (r.getThrown() != null) {
                sb.append(",\"error\":").append(quote(r.getThrown().toString()));
            }
            return sb.append("}\n").toString();
        }

        private static String quote(String s) {
            StringBuilder out = new StringBuilder(s.length() + 2).append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }

    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord r) {
            String source = r.getLoggerName() == null ? "" : r.getLoggerName().substring(r.getLoggerName().lastIndexOf('.') + 1);
            StringBuilder sb = new StringBuilder(160).append(Instant.ofEpochMilli(r.getMillis())).append(' ')
                    .append(name(r.getLevel())).append(' ').append(source).append(": ").append(escapeControls(formatMessage(r)));
            Throwable t = r.getThrown();
            if (t != null) {
                // Unexpected failures keep their stack trace for the developer, after the one-line summary.
                java.io.StringWriter w = new java.io.StringWriter();
                t.printStackTrace(new java.io.PrintWriter(w));
                sb.append(" | ").append(w.toString().strip().replace("\n", "\n    "));
            }
            return sb.append('\n').toString();
        }

        /** Control characters (an object key may hold any) escaped, so no message can forge a log line. */
        static String escapeControls(String message) {
            StringBuilder out = null;
            for (int i = 0; i < message.length(); i++) {
                char c = message.charAt(i);
                if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                    if (out == null) {
                        out = new StringBuilder(message.length() + 8).append(message, 0, i);
                    }
                    out.append(c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : String.format("\\u%04x", (int) c));
                } else if (out != null) {
                    out.append(c);
                }
            }
            return out == null ? message : out.toString();
        }

        private static String name(Level l) {
            return l == Level.SEVERE ? "ERROR" : l == Level.WARNING ? "WARN " : l.intValue() >= Level.INFO.intValue() ? "INFO "
                    : "DEBUG";
        }
    }
}
