package dev.agentd.agentctl;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times given on the command line: an ISO-8601 instant, or a duration
 * relative to now ({@code 10m}, {@code 2h}, {@code 1h30m}, {@code 7d}).
 *
 * <p>Durations are turned into instants here, with agentctl's clock: agentd
 * runs on the same host (the admin socket is a Unix socket), so the two
 * clocks are one, and agentd only ever sees an unambiguous instant.
 */
final class Times {
    private static final Pattern PART = Pattern.compile("(\\d{1,9})(w|d|h|m|s)");
    private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}(?:w|d|h|m|s))+");

    private Times() {}

    /**
     * {@code 2026-11-22T10:00:00Z}, {@code 2026-11-22T11:00:00+01:00}, or a
     * date alone ({@code 2026-11-22}, midnight UTC); {@code null} when
     * {@code s} is none of these.
     */
    static Instant instant(String s) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            // next form
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * {@code 90s}, {@code 10m}, {@code 2h}, {@code 1h30m}, {@code 7d},
     * {@code 2w}, or ISO-8601 ({@code PT10M}); {@code null} when {@code s} is
     * none of these.
     */
    static Duration duration(String s) {
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return Duration.parse(s);
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        if (!DURATION.matcher(s).matches()) {
            return null;
        }
        Duration d = Duration.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "w" -> Duration.ofDays(7 * n);
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
        }
        return d;
    }

    /** {@code value} as an instant, a duration counting back from {@code now}: for {@code --since}. */
    static Instant ago(String option, String value, Instant now) {
        Instant at = instant(value);
        if (at != null) {
            return at;
        }
        Duration d = duration(value);
        if (d == null || d.isNegative()) {
            throw invalid(option, value, "ago");
        }
        return now.minus(d);
    }

    /** {@code value} as an instant, a duration counting on from {@code now}: for {@code --expires}. */
    static Instant fromNow(String option, String value, Instant now) {
        Instant at = instant(value);
        if (at == null) {
            Duration d = duration(value);
            if (d == null || d.isNegative() || d.isZero()) {
                throw invalid(option, value, "from now");
            }
            return now.plus(d);
        }
        if (!at.isAfter(now)) {
            throw new CliException(ExitCodes.USAGE, option + " " + value + " is not in the future");
        }
        return at;
    }

    private static CliException invalid(String option, String value, String direction) {
        return new CliException(ExitCodes.USAGE, "invalid " + option + " \"" + value
                + "\": expected an ISO-8601 time (2026-11-22T10:00:00Z) or a duration " + direction
                + " (30s, 10m, 2h, 1h30m, 7d)");
    }
}
