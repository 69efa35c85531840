package dev.agentd.landlock;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Allows {@code access} on TCP port {@code port} (host byte order, any
 * address). Port 0 with {@link AccessNet#BIND_TCP} allows binding to a
 * kernel-chosen ephemeral port (uapi {@code linux/landlock.h},
 * {@code struct landlock_net_port_attr}).
 *
 * <p>Immutable; {@link #compatibility(CompatLevel)} returns a modified copy.
 */
public final class NetPort implements Rule {
    private final int port;
    private final Set<AccessNet> access;
    private final CompatLevel compatibility;

    private NetPort(int port, Set<AccessNet> access, CompatLevel compatibility) {
        this.port = port;
        this.access = access;
        this.compatibility = compatibility;
    }

    /**
     * A rule allowing {@code access} on TCP {@code port}.
     *
     * @throws LandlockRulesetException ({@code PORT_OUT_OF_RANGE}) for a port outside 0..65535,
     *     ({@code EMPTY_ACCESS}) for an empty {@code access}
     */
    public static NetPort of(int port, Collection<AccessNet> access) {
        EnumSet<AccessNet> copy = access.isEmpty() ? EnumSet.noneOf(AccessNet.class) : EnumSet.copyOf(access);
        NetPort rule = new NetPort(port, Collections.unmodifiableSet(copy), null);
        if (port < 0 || port > Uapi.MAX_PORT) {
            throw LandlockRulesetException.ofRule(LandlockRulesetException.Problem.PORT_OUT_OF_RANGE, rule,
                    "port " + port + " is outside 0.." + Uapi.MAX_PORT);
        }
        if (copy.isEmpty()) {
            throw LandlockRulesetException.ofRule(LandlockRulesetException.Problem.EMPTY_ACCESS, rule,
                    "no access right given");
        }
        return rule;
    }

    /** A rule allowing the given rights on TCP {@code port}. */
    public static NetPort of(int port, AccessNet first, AccessNet... rest) {
        return of(port, EnumSet.of(first, rest));
    }

    /** This rule with its own compatibility level, overriding the ruleset's. */
    public NetPort compatibility(CompatLevel level) {
        return new NetPort(port, access, Objects.requireNonNull(level, "level"));
    }

    /** The TCP port. */
    public int port() {
        return port;
    }

    /** The allowed rights (unmodifiable). */
    @Override
    public Set<AccessNet> access() {
        return access;
    }

    @Override
    public Optional<CompatLevel> compatibility() {
        return Optional.ofNullable(compatibility);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetPort p && p.port == port && p.access.equals(access) && p.compatibility == compatibility;
    }

    @Override
    public int hashCode() {
        return Objects.hash(port, access, compatibility);
    }

    /** E.g. {@code NetPort[443 {CONNECT_TCP}]}. */
    @Override
    public String toString() {
        return "NetPort[" + port + " " + PathBeneath.names(access) + (compatibility == null ? "" : " " + compatibility)
                + "]";
    }
}
