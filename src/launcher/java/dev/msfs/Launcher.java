package dev.msfs;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's entry point, compiled for Java 8 (pom.xml, execution "launcher"): run by an older JVM
 * (Debian's default java is 17), it says which Java msfs needs instead of failing with
 * {@code UnsupportedClassVersionError}; on Java 25 it starts {@code dev.msfs.cli.Main}.
 */
public final class Launcher {
    static final int NEEDED = 25;

    private Launcher() {
    }

    public static void main(String[] args) throws Throwable {
        String spec = System.getProperty("java.specification.version", "0");
        if (feature(spec) < NEEDED) {
            System.err.println("msfs: error: msfs needs Java " + NEEDED + " or later (found " + spec + ", "
                    + System.getProperty("java.home") + "); set JAVA_HOME to a JDK " + NEEDED
                    + " and run \"$JAVA_HOME/bin/java -jar msfs.jar\" (scripts/install sets one up)");
            System.exit(1);
        }
        try {
            Class.forName("dev.msfs.cli.Main").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** 8 for "1.8", 17 for "17", 25 for "25". */
    static int feature(String spec) {
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
    }
}
