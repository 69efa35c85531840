package dev.agentd.toolcall.tools;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which addresses {@code http_fetch} may connect to by default. A grant for a
 * public name must not become a way into the host's or the network's inside:
 * agentd runs next to services that trust loopback, the cloud metadata
 * endpoint (169.254.169.254) hands out credentials, and a DNS name the agent
 * controls can point anywhere. So every resolved address is classified, and
 * anything but a public unicast address is refused unless a grant names that
 * very address as a literal.
 *
 * <p>Ranges: IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890
 * and updates); IPv6 forms that embed an IPv4 address (mapped
 * {@code ::ffff:0:0/96}, compatible {@code ::/96}, NAT64 {@code 64:ff9b::/96},
 * 6to4 {@code 2002::/16}) are judged by the IPv4 address inside, since that is
 * where the packets can end up.
 */
final class AddressPolicy {
    private AddressPolicy() {}

    private static final Pattern IPV4_LITERAL =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    /**
     * Why {@code a} is refused by default ("loopback", "private", ...), or empty
     * for a public unicast address.
     */
    static Optional<String> restriction(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return restriction4(b);
        }
        if (a instanceof Inet6Address) {
            return restriction6(b);
        }
        return Optional.of("not an IP address");
    }

    private static Optional<String> restriction4(byte[] b) {
        int o0 = b[0] & 0xff;
        int o1 = b[1] & 0xff;
        if (o0 == 0) {
            return Optional.of(o1 == 0 && b[2] == 0 && b[3] == 0 ? "unspecified" : "\"this network\" (0.0.0.0/8)");
        }
        if (o0 == 127) {
            return Optional.of("loopback");
        }
        if (o0 == 10 || (o0 == 172 && (o1 & 0xf0) == 16) || (o0 == 192 && o1 == 168)) {
            return Optional.of("private");
        }
        if (o0 == 169 && o1 == 254) {
            return Optional.of("link-local (includes the cloud metadata endpoint 169.254.169.254)");
        }
        if (o0 == 100 && (o1 & 0xc0) == 64) {
            return Optional.of("carrier-grade NAT (100.64.0.0/10)");
        }
        if (o0 == 192 && o1 == 0 && (b[2] & 0xff) == 0) {
            return Optional.of("IETF protocol assignments (192.0.0.0/24)");
        }
        if (o0 == 198 && (o1 & 0xfe) == 18) {
            return Optional.of("benchmarking (198.18.0.0/15)");
        }
        if (o0 >= 224 && o0 <= 239) {
            return Optional.of("multicast");
        }
        if (o0 >= 240) {
            return Optional.of(o0 == 255 && o1 == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255
                    ? "broadcast" : "reserved (240.0.0.0/4)");
        }
        return Optional.empty();
    }

    private static Optional<String> restriction6(byte[] b) {
        boolean zero10 = true;
        for (int i = 0; i < 10; i++) {
            zero10 &= b[i] == 0;
        }
        if (zero10 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
            return embedded(b, 12, "IPv4-mapped");
        }
        boolean zero12 = zero10 && b[10] == 0 && b[11] == 0;
        if (zero12) {
            int last = ((b[12] & 0xff) << 24) | ((b[13] & 0xff) << 16) | ((b[14] & 0xff) << 8) | (b[15] & 0xff);
            if (last == 0) {
                return Optional.of("unspecified");
            }
            if (last == 1) {
                return Optional.of("loopback");
            }
            return embedded(b, 12, "IPv4-compatible");
        }
        int w0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
        if (w0 == 0x0064 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            boolean zeroMid = true;
            for (int i = 4; i < 12; i++) {
                zeroMid &= b[i] == 0;
            }
            if (zeroMid) {
                return embedded(b, 12, "NAT64");
            }
        }
        if (w0 == 0x2002) {
            return embedded(b, 2, "6to4");
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("private (unique local fc00::/7)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0x80) {
            return Optional.of("link-local (fe80::/10)");
        }
        if ((b[0] & 0xff) == 0xfe && (b[1] & 0xc0) == 0xc0) {
            return Optional.of("site-local (fec0::/10)");
        }
        if ((b[0] & 0xff) == 0xff) {
            return Optional.of("multicast");
        }
        if (w0 == 0x0100 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] == 0) {
            return Optional.of("discard-only (100::/64)");
        }
        if (w0 == 0x2001 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
            return Optional.of("documentation (2001:db8::/32)");
        }
        return Optional.empty();
    }

    private static Optional<String> embedded(byte[] b, int at, String form) {
        byte[] v4 = {b[at], b[at + 1], b[at + 2], b[at + 3]};
        return restriction4(v4).map(r -> form + " IPv6 address of a " + r + " IPv4 address");
    }

    /**
     * {@code host} as an address when it is written as an IP literal (dotted
     * quad, or IPv6 with or without brackets), never resolving a name: only a
     * literal in a grant counts as "the grant names that address".
     */
    static Optional<InetAddress> literal(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            if (IPV4_LITERAL.matcher(h).matches()) {
                return Optional.of(InetAddress.getByName(h));
            }
            if (h.indexOf(':') >= 0 && IPV6_LITERAL.matcher(h).matches()) {
                // With a ':' InetAddress parses a literal and never asks DNS.
                return Optional.of(InetAddress.getByName(h));
            }
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
