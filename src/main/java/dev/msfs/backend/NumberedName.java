package dev.msfs.backend;

import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A printf format with one integer conversion ("file_%08X") that can also be read back. */
final class NumberedName {
    private static final Pattern CONVERSION = Pattern.compile("%(0?\\d*)([dxX])");

    private final String format;
    private final String prefix;
    private final String suffix;
    private final int radix;

    NumberedName(String format) {
        Matcher m = CONVERSION.matcher(format);
        if (!m.find()) {
            throw new IllegalArgumentException("\"" + format + "\" has no %d, %x or %X conversion");
        }
        this.format = format;
        this.prefix = format.substring(0, m.start()).replace("%%", "%");
        this.suffix = format.substring(m.end()).replace("%%", "%");
        this.radix = m.group(2).equals("d") ? 10 : 16;
    }

    String name(long number) {
        return String.format(format, number);
    }

    /** The number whose name this is, if it is exactly such a name. */
    OptionalLong number(String name) {
        if (!name.startsWith(prefix) || !name.endsWith(suffix) || name.length() <= prefix.length() + suffix.length()) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(name.substring(prefix.length(), name.length() - suffix.length()), radix);
            return n >= 0 && name(n).equals(name) ? OptionalLong.of(n) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
