package dev.agentd.landlock;

import java.util.Collection;
import java.util.EnumSet;

/**
 * IPC scopes ("Scope flags" of uapi {@code linux/landlock.h}; bit values in
 * {@link Uapi}), introduced with {@link Abi#V6}. A scoped domain may only reach
 * processes and sockets of its own domain or a nested one; unlike access
 * rights, no rule can make an exception.
 */
public enum Scope {
    /**
     * Refuse {@code connect(2)} (and {@code sendto(2)} on an unconnected
     * socket) to an abstract Unix socket created outside the domain. Pathname
     * Unix sockets are not covered by this scope, nor by any file system right
     * up to ABI 7: isolate those with the mount namespace and file ownership.
     */
    ABSTRACT_UNIX_SOCKET(Uapi.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, Abi.V6),
    /** Refuse sending a signal to a process outside the domain (EPERM). */
    SIGNAL(Uapi.LANDLOCK_SCOPE_SIGNAL, Abi.V6);

    private final long bits;
    private final Abi abi;

    Scope(long bits, Abi abi) {
        this.bits = bits;
        this.abi = abi;
    }

    /** The scope's bit in uapi {@code linux/landlock.h}. */
    public long bits() {
        return bits;
    }

    /** The ABI that introduced this scope. */
    public Abi abi() {
        return abi;
    }

    /** Every scope {@code abi} defines (none before {@link Abi#V6}); a fresh, mutable set. */
    public static EnumSet<Scope> fromAll(Abi abi) {
        EnumSet<Scope> s = EnumSet.noneOf(Scope.class);
        for (Scope a : values()) {
            if (abi.isAtLeast(a.abi)) {
                s.add(a);
            }
        }
        return s;
    }

    static long toBits(Collection<Scope> scopes) {
        long b = 0;
        for (Scope a : scopes) {
            b |= a.bits;
        }
        return b;
    }
}
