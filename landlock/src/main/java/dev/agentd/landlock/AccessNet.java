package dev.agentd.landlock;

import java.util.Collection;
import java.util.EnumSet;

/**
 * TCP access rights ("Network flags" of uapi {@code linux/landlock.h}; bit
 * values in {@link Uapi}), all introduced with {@link Abi#V4}. Only TCP is
 * governed: UDP, Unix sockets and raw sockets stay allowed by these rights.
 */
public enum AccessNet implements Access {
    /** Bind a TCP socket to a local port. */
    BIND_TCP(Uapi.LANDLOCK_ACCESS_NET_BIND_TCP, Abi.V4),
    /** Connect a TCP socket to a remote port. */
    CONNECT_TCP(Uapi.LANDLOCK_ACCESS_NET_CONNECT_TCP, Abi.V4);

    private final long bits;
    private final Abi abi;

    AccessNet(long bits, Abi abi) {
        this.bits = bits;
        this.abi = abi;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public Abi abi() {
        return abi;
    }

    /** Every network right {@code abi} defines (none before {@link Abi#V4}); a fresh, mutable set. */
    public static EnumSet<AccessNet> fromAll(Abi abi) {
        EnumSet<AccessNet> s = EnumSet.noneOf(AccessNet.class);
        for (AccessNet a : values()) {
            if (abi.isAtLeast(a.abi)) {
                s.add(a);
            }
        }
        return s;
    }

    static long toBits(Collection<AccessNet> rights) {
        long b = 0;
        for (AccessNet a : rights) {
            b |= a.bits;
        }
        return b;
    }
}
