package dev.agentd.manifest;

import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value syntaxes of a manifest that are not cgroup limits (those belong to
 * {@code dev.agentd.cgroups.LimitSyntax}). Pure functions; every failure is an
 * {@link IllegalArgumentException} whose message quotes the value and says what is allowed,
 * ready to be prefixed with {@code file:line:column: key: }.
 */
final class Syntax {
    private Syntax() {}

    private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern RATE = Pattern.compile("(\\d+)/([smh])");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(?:%[A-Za-z0-9_.-]+)?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");
    private static final Pattern PLAIN_NAME = Pattern.compile("[^\\s\\p{Cntrl}]+");
    private static final String GLOB_CHARS = "*?[]{}";
    private static final int MAX_SHOWN = 100;

    static final String DURATION_EXPECTED = "expected a duration such as 500ms, 1s, 2m, 24h or 1h30m";
    static final String PATH_ALLOWED = "allowed: an absolute path (exactly that file or directory) "
            + "or an absolute path ending in /** (the whole subtree)";

    /**
     * A positive duration written as whole numbers with units {@code ms}, {@code s}, {@code m},
     * {@code h}, {@code d}, optionally combined ({@code 1h30m}).
     */
    static Duration duration(String text) {
        if (!DURATION.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid duration " + quote(text) + ": " + DURATION_EXPECTED);
        }
        Duration total = Duration.ZERO;
        Matcher m = DURATION_PART.matcher(text);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                ChronoUnit unit = switch (m.group(2)) {
                    case "ms" -> ChronoUnit.MILLIS;
                    case "s" -> ChronoUnit.SECONDS;
                    case "m" -> ChronoUnit.MINUTES;
                    case "h" -> ChronoUnit.HOURS;
                    default -> ChronoUnit.DAYS;
                };
                total = total.plus(Duration.of(n, unit));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("invalid duration " + quote(text) + ": too long");
        }
        if (total.isZero()) {
            throw new IllegalArgumentException("invalid duration " + quote(text) + ": must be longer than zero");
        }
        return total;
    }

    /** {@code N/s}, {@code N/m} or {@code N/h} with N positive. */
    static Rate rate(String text) {
        Matcher m = RATE.matcher(text);
        String expected = "expected N/s, N/m or N/h with N a positive whole number, such as 10/m";
        if (!m.matches()) {
            throw new IllegalArgumentException("invalid rate " + quote(text) + ": " + expected);
        }
        long count;
        try {
            count = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid rate " + quote(text) + ": " + expected);
        }
        if (count <= 0) {
            throw new IllegalArgumentException("invalid rate " + quote(text) + ": " + expected);
        }
        Duration per = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new Rate(count, per);
    }

    /** An ISO-8601 instant with an offset ({@code 2026-12-01T00:00:00Z}) or a duration ({@code 24h}). */
    static Expiry expiry(String text) {
        if (DURATION.matcher(text).matches()) {
            try {
                return new Expiry.After(duration(text));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replace("invalid duration", "invalid expiry"));
            }
        }
        try {
            return new Expiry.At(Instant.parse(text));
        } catch (DateTimeParseException e) {
            try {
                return new Expiry.At(OffsetDateTime.parse(text).toInstant());
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("invalid expiry " + quote(text)
                        + ": expected an ISO-8601 instant such as 2026-12-01T00:00:00Z or a duration such as 24h");
            }
        }
    }

    /**
     * A filesystem grant. Only two shapes are allowed, because anything looser (globs in the
     * middle, relative paths, {@code ..}) would make the granted set depend on the state of the
     * filesystem at launch time instead of on the text of the manifest.
     */
    static PathGrant pathGrant(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty path: " + PATH_ALLOWED);
        }
        checkNoNul(text, "path");
        boolean subtree = text.endsWith("/**");
        String body = subtree ? text.substring(0, text.length() - 3) : text;
        if (subtree && body.isEmpty()) {
            body = "/";
        }
        if (!body.startsWith("/")) {
            throw new IllegalArgumentException("invalid path " + quote(text) + ": relative paths are not allowed"
                    + (text.startsWith("~") ? " (~ is not expanded)" : "") + "; " + PATH_ALLOWED);
        }
        for (String part : body.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("invalid path " + quote(text)
                        + ": \"..\" components are not allowed; write the absolute path it leads to");
            }
            for (char c : part.toCharArray()) {
                if (GLOB_CHARS.indexOf(c) >= 0) {
                    throw new IllegalArgumentException("invalid path " + quote(text)
                            + ": globs are not supported, except a trailing /**; " + PATH_ALLOWED);
                }
            }
        }
        return new PathGrant(Path.of(body), subtree);
    }

    /** An absolute directory such as {@code workdir}: no {@code ..}, no NUL. */
    static Path absolutePath(String text) {
        String expected = "expected an absolute path such as /workspace";
        if (text.isEmpty()) {
            throw new IllegalArgumentException("empty path: " + expected);
        }
        checkNoNul(text, "path");
        if (!text.startsWith("/")) {
            throw new IllegalArgumentException("invalid path " + quote(text) + ": relative paths are not allowed"
                    + (text.startsWith("~") ? " (~ is not expanded)" : "") + "; " + expected);
        }
        for (String part : text.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("invalid path " + quote(text)
                        + ": \"..\" components are not allowed; " + expected);
            }
        }
        return Path.of(text).normalize();
    }

    /**
     * {@code HOST} or {@code HOST:PORT}: a DNS name or IPv4 address, or an IPv6 address in
     * brackets ({@code [2001:db8::1]:443}); port 1..65535. Returned unchanged.
     */
    static String hostPort(String text) {
        String expected = "expected HOST or HOST:PORT, such as api.example.com, api.example.com:443, "
                + "10.0.0.1:8080 or [2001:db8::1]:443";
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid network address " + quote(text) + ": missing ']'; " + expected);
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("invalid network address " + quote(text) + ": " + expected);
                }
                port = rest.substring(1);
            }
            if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
                throw new IllegalArgumentException("invalid network address " + quote(text)
                        + ": not an IPv6 address inside the brackets; " + expected);
            }
        } else {
            int first = text.indexOf(':');
            if (first >= 0 && text.indexOf(':', first + 1) >= 0) {
                throw new IllegalArgumentException("invalid network address " + quote(text)
                        + ": an IPv6 address needs brackets, such as [2001:db8::1]:443");
            }
            host = first < 0 ? text : text.substring(0, first);
            port = first < 0 ? null : text.substring(first + 1);
            if (!isHostName(host)) {
                throw new IllegalArgumentException("invalid network address " + quote(text)
                        + ": " + quote(host) + " is not a host name or IPv4 address; " + expected);
            }
        }
        if (port != null) {
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("invalid network address " + quote(text)
                        + ": port must be a number from 1 to 65535; " + expected);
            }
        }
        return text;
    }

    private static boolean isHostName(String host) {
        if (host.isEmpty() || host.length() > 253) {
            return false;
        }
        for (String label : host.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** A tool, secret, model or agent name: anything printable without spaces. */
    static String plainName(String text, String what) {
        if (!PLAIN_NAME.matcher(text).matches()) {
            throw new IllegalArgumentException("invalid " + what + " " + quote(text)
                    + ": expected a non-empty name without spaces or control characters");
        }
        return text;
    }

    /**
     * A YAML 1.2 core-schema integer ({@code 42}, {@code -7}, {@code 0x2A}, {@code 0o52}) as a
     * BigInteger, so that range checks see the real value instead of an overflowed one.
     */
    static BigInteger yamlInteger(String text) {
        String s = text.startsWith("+") ? text.substring(1) : text;
        if (s.startsWith("0x")) {
            return new BigInteger(s.substring(2), 16);
        }
        if (s.startsWith("0o")) {
            return new BigInteger(s.substring(2), 8);
        }
        return new BigInteger(s);
    }

    /**
     * Refuses NUL: it cannot be passed through argv, environ or a path, and the C side would
     * silently truncate the string there.
     */
    static void checkNoNul(String text, String what) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("invalid " + what + " " + quote(text) + ": contains a NUL character");
        }
    }

    /** {@code text} in double quotes with control characters escaped, cut short if very long. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder("\"");
        int shown = 0;
        for (int i = 0; i < text.length(); i++) {
            if (shown++ == MAX_SHOWN) {
                sb.append("...");
                break;
            }
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
