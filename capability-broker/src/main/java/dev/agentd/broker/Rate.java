package dev.agentd.broker;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * At most {@code count} invocations per {@code per}, enforced as a token bucket of
 * capacity {@code count} refilled continuously. Spelled {@code "10/m"} in manifests.
 */
public record Rate(long count, Duration per) {

    private static final Duration MAX_PER = Duration.ofDays(365L * 100);
    private static final Pattern SPELLING = Pattern.compile("(\\d{1,12})\\s*/\\s*(\\d{0,9})\\s*(ms|s|m|h|d)");

    public Rate {
        Objects.requireNonNull(per, "per");
        if (count <= 0) {
            throw new IllegalArgumentException("rate count must be > 0, got " + count);
        }
        if (per.isNegative() || per.isZero()) {
            throw new IllegalArgumentException("rate period must be > 0, got " + per);
        }
        // The broker stores and computes periods in nanoseconds; ~292 years is the limit of a long.
        if (per.compareTo(MAX_PER) > 0) {
            throw new IllegalArgumentException("rate period " + per + " is longer than the maximum " + MAX_PER);
        }
    }

    /**
     * Parses {@code "10/m"}, {@code "5/s"}, {@code "100/h"}, {@code "1000/d"}, {@code "3/10s"},
     * {@code "20/500ms"}.
     *
     * @throws IllegalArgumentException naming the input and the expected form
     */
    public static Rate parse(String spelling) {
        Objects.requireNonNull(spelling, "rate");
        Matcher m = SPELLING.matcher(spelling.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid rate \"" + spelling
                    + "\": expected COUNT/[N]UNIT with UNIT one of ms, s, m, h, d (e.g. \"10/m\", \"3/10s\")");
        }
        long count = Long.parseLong(m.group(1));
        long n = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
        if (n == 0) {
            throw new IllegalArgumentException("invalid rate \"" + spelling + "\": period must be > 0");
        }
        Duration unit = switch (m.group(3)) {
            case "ms" -> Duration.ofMillis(1);
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            case "h" -> Duration.ofHours(1);
            default -> Duration.ofDays(1);
        };
        try {
            return new Rate(count, unit.multipliedBy(n));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException("invalid rate \"" + spelling + "\": " + e.getMessage(), e);
        }
    }

    /**
     * True if this rate allows no more than {@code other}: its sustained rate is not higher and its
     * burst (bucket capacity) not larger. Both must hold, or a child could burst past its parent.
     */
    public boolean noLooserThan(Rate other) {
        // count/per <= other.count/other.per  <=>  count*other.per <= other.count*per (in nanos, exact)
        java.math.BigInteger lhs = java.math.BigInteger.valueOf(count)
                .multiply(java.math.BigInteger.valueOf(other.per.toNanos()));
        java.math.BigInteger rhs = java.math.BigInteger.valueOf(other.count)
                .multiply(java.math.BigInteger.valueOf(per.toNanos()));
        return lhs.compareTo(rhs) <= 0 && count <= other.count;
    }

    /** The manifest spelling, e.g. {@code 10/m}. */
    @Override
    public String toString() {
        long s = per.getSeconds();
        if (per.getNano() == 0) {
            if (s % 86400 == 0) return count + "/" + unit(s / 86400, "d");
            if (s % 3600 == 0) return count + "/" + unit(s / 3600, "h");
            if (s % 60 == 0) return count + "/" + unit(s / 60, "m");
            return count + "/" + unit(s, "s");
        }
        return count + "/" + per.toMillis() + "ms";
    }

    private static String unit(long n, String u) {
        return n == 1 ? u : n + u;
    }
}
