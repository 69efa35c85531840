package dev.agentd.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Spelling and coverage of grant values, per kind. Everything here is lexical: the broker never
 * touches the file system or DNS, so a value is compared exactly as written after normalization.
 * That is why {@code ..} is refused rather than resolved: {@code /a/link/../b} is not {@code /a/b}
 * when {@code link} is a symlink, and the tools open paths with {@code RESOLVE_BENEATH} anyway.
 */
final class Values {
    /** PATH_MAX on Linux (include/uapi/linux/limits.h), including the terminating NUL. */
    private static final int PATH_MAX = 4096;
    private static final int MAX_NAME = 256;
    private static final String SUBTREE = "/**";
    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]+(%[a-z0-9_.-]+)?\\]");

    private Values() {}

    /**
     * The canonical spelling of {@code value} for {@code kind}.
     *
     * @throws IllegalArgumentException naming the value and what was expected
     */
    static String normalize(GrantKind kind, String value) {
        if (value == null) {
            throw new IllegalArgumentException(kind.key() + " value is missing");
        }
        return switch (kind) {
            case FILE_READ, FILE_WRITE -> normalizePath(kind, value);
            case NET -> normalizeNet(value);
            case TOOL, SPAWN, SECRET, LLM -> checkName(kind, value);
        };
    }

    private static String normalizePath(GrantKind kind, String value) {
        String what = kind.key() + " path \"" + printable(value) + "\"";
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains NUL");
        }
        if (!value.startsWith("/")) {
            throw new IllegalArgumentException(what + " is relative: expected an absolute path such as /data or /data/**");
        }
        if (value.length() >= PATH_MAX) {
            throw new IllegalArgumentException(what + " is longer than PATH_MAX (" + PATH_MAX + ")");
        }
        String[] parts = value.split("/", -1);
        List<String> segments = new ArrayList<>();
        boolean subtree = false;
        for (int i = 0; i < parts.length; i++) {
            String s = parts[i];
            // Empty segments ("//", trailing "/") and "." mean nothing lexically; dropping them is safe.
            if (s.isEmpty() || s.equals(".")) {
                continue;
            }
            if (s.equals("..")) {
                throw new IllegalArgumentException(what + " contains \"..\": expected a normalized path"
                        + " (\"..\" is not resolved because a symlink would change its meaning)");
            }
            if (s.equals("**") && isLastNonEmpty(parts, i)) {
                subtree = true;
                continue;
            }
            if (s.indexOf('*') >= 0) {
                // Refused, not taken literally: a reader of "/a/*.txt" would expect a glob.
                throw new IllegalArgumentException(what + " contains a wildcard: only a trailing /** (the whole subtree) is supported");
            }
            segments.add(s);
        }
        String base = segments.isEmpty() ? "" : "/" + String.join("/", segments);
        if (subtree) {
            return base + SUBTREE;
        }
        return base.isEmpty() ? "/" : base;
    }

    private static boolean isLastNonEmpty(String[] parts, int i) {
        for (int j = i + 1; j < parts.length; j++) {
            if (!parts[j].isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static String normalizeNet(String value) {
        String what = "net value \"" + printable(value) + "\"";
        String v = value.toLowerCase(Locale.ROOT);
        String host;
        String port = null;
        if (v.startsWith("[")) {
            int close = v.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(what + " has an unclosed '[': expected [ipv6] or [ipv6]:port");
            }
            host = v.substring(0, close + 1);
            String rest = v.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException(what + ": expected [ipv6] or [ipv6]:port");
                }
                port = rest.substring(1);
            }
        } else if (v.indexOf(':') != v.lastIndexOf(':')) {
            // Several colons and no brackets: a bare IPv6 address, which cannot carry a port.
            host = "[" + v + "]";
        } else {
            int colon = v.indexOf(':');
            host = colon < 0 ? v : v.substring(0, colon);
            port = colon < 0 ? null : v.substring(colon + 1);
        }
        if (host.startsWith("[")) {
            if (!IPV6.matcher(host).matches()) {
                throw new IllegalArgumentException(what + ": \"" + host + "\" is not an IPv6 address");
            }
        } else {
            // A fully qualified name's trailing dot names the same host; drop it so both spellings match.
            if (host.endsWith(".") && host.length() > 1) {
                host = host.substring(0, host.length() - 1);
            }
            if (host.length() > 253 || !HOST_NAME.matcher(host).matches()) {
                throw new IllegalArgumentException(what + ": expected host or host:port with a DNS name or"
                        + " IPv4 address (no scheme, path, user or wildcard)");
            }
        }
        if (port == null) {
            return host;
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(what + ": port \"" + port + "\" is not a number in 1..65535");
        }
        int p = Integer.parseInt(port);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException(what + ": port " + p + " is not in 1..65535");
        }
        return host + ":" + p;
    }

    private static String checkName(GrantKind kind, String value) {
        String what = kind.key() + " value \"" + printable(value) + "\"";
        if (value.isEmpty()) {
            throw new IllegalArgumentException(kind.key() + " value is empty: expected a name");
        }
        if (value.length() > MAX_NAME) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_NAME + " characters");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isWhitespace(c)) {
                throw new IllegalArgumentException(what + " contains whitespace or a control character at index " + i);
            }
        }
        return value;
    }

    /**
     * True if a grant of {@code held} allows {@code asked} (both normalized, same kind). Used both to
     * authorize a value and to check a delegation: {@code /a/**} covers {@code /a}, {@code /a/b} and
     * {@code /a/b/**} but not {@code /ab}; {@code host} covers {@code host:443}, not the reverse.
     */
    static boolean covers(GrantKind kind, String held, String asked) {
        return switch (kind) {
            case FILE_READ, FILE_WRITE -> coversPath(held, asked);
            case NET -> held.equals(asked) || (!hasPort(held) && hostOf(asked).equals(held));
            case TOOL, SPAWN, SECRET, LLM -> held.equals(asked);
        };
    }

    private static boolean coversPath(String held, String asked) {
        if (!held.endsWith(SUBTREE)) {
            return held.equals(asked);
        }
        String base = held.substring(0, held.length() - SUBTREE.length()); // "" for "/**"
        String askedBase = asked.endsWith(SUBTREE) ? asked.substring(0, asked.length() - SUBTREE.length()) : asked;
        // The "/" after base is what keeps /a/** from covering /ab.
        return askedBase.equals(base) || askedBase.startsWith(base + "/");
    }

    private static boolean hasPort(String net) {
        return net.lastIndexOf(':') > net.lastIndexOf(']');
    }

    private static String hostOf(String net) {
        return hasPort(net) ? net.substring(0, net.lastIndexOf(':')) : net;
    }

    /** Higher is narrower; used to pick the most specific of several covering grants. */
    static int specificity(GrantKind kind, String value) {
        return switch (kind) {
            case FILE_READ, FILE_WRITE -> value.endsWith(SUBTREE)
                    ? 2 * (value.length() - SUBTREE.length())
                    : 2 * value.length() + 1;
            case NET -> hasPort(value) ? 2 : 1;
            case TOOL, SPAWN, SECRET, LLM -> 0;
        };
    }

    /** Escapes control characters so an agent-supplied value cannot forge lines in a message or log. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 300));
        for (int i = 0; i < s.length() && i < 256; i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > 256) {
            b.append("...");
        }
        return b.toString();
    }
}
