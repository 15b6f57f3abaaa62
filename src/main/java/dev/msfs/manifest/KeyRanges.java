package dev.msfs.manifest;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Names as numbers in base 95 (printable ASCII, ' ' to '~'), for cutting a range of a flat
 * directory's names into parts of about equal width, as MSFS splits one (manifest_gen.go). A name
 * with other bytes sorts past every point here: the last part, open at its end, holds it.
 */
final class KeyRanges {
    private static final int BASE = 95;
    private static final int LOW = 0x20;
    private static final BigInteger BIG_BASE = BigInteger.valueOf(BASE);

    private KeyRanges() {
    }

    /** Up to {@code parts - 1} names strictly between {@code from} and {@code to}, rising, about evenly spaced. */
    static List<String> between(String from, String to, int parts) {
        int width = Math.max(from.length(), to.length()) + 2;
        BigInteger a = toNumber(from, width);
        BigInteger b = toNumber(to, width);
        List<String> points = new ArrayList<>();
        BigInteger span = b.subtract(a);
        if (span.signum() <= 0) {
            return points;
        }
        String previous = from;
        for (int i = 1; i < parts; i++) {
            String p = toName(a.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(parts))), width);
            if (compare(p, previous) > 0 && compare(p, to) < 0) {
                points.add(p);
                previous = p;
            }
        }
        return points;
    }

    /** Store order: UTF-8 bytes, unsigned. */
    static int compare(String x, String y) {
        return Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8));
    }

    private static BigInteger toNumber(String s, int width) {
        BigInteger n = BigInteger.ZERO;
        for (int i = 0; i < width; i++) {
            int digit = i < s.length() ? Math.min(Math.max(s.charAt(i) - LOW, 0), BASE - 1) : 0;
            n = n.multiply(BIG_BASE).add(BigInteger.valueOf(digit));
        }
        return n;
    }

    private static String toName(BigInteger n, int width) {
        char[] digits = new char[width];
        BigInteger v = n;
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = v.divideAndRemainder(BIG_BASE);
            digits[i] = (char) (qr[1].intValue() + LOW);
            v = qr[0];
        }
        int end = width;
        while (end > 1 && digits[end - 1] == LOW) {
            end--; // trailing spaces add nothing to the order
        }
        return new String(digits, 0, end);
    }
}
