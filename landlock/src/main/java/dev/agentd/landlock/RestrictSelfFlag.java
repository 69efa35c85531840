package dev.agentd.landlock;

import java.util.Collection;

/**
 * Flags of {@code landlock_restrict_self(2)} that tune audit logging of denied
 * accesses (uapi {@code linux/landlock.h}, "landlock_restrict_self_flags";
 * bit values in {@link Uapi}), introduced with {@link Abi#V7}. They change what
 * is logged, never what is allowed: dropping one on an older kernel does not
 * weaken the sandbox.
 */
public enum RestrictSelfFlag {
    /**
     * Do not log denials by the creating thread and its children until they
     * call execve: for interpreters that run untrusted code in-process.
     */
    LOG_SAME_EXEC_OFF(Uapi.LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF, Abi.V7),
    /**
     * Log denials after an execve too (off by default, since a program is
     * expected to know only its own behaviour): for sandboxed programs that
     * are all expected to comply.
     */
    LOG_NEW_EXEC_ON(Uapi.LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, Abi.V7),
    /** Do not log denials of domains nested below this one (e.g. a sandboxed container runtime's). */
    LOG_SUBDOMAINS_OFF(Uapi.LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, Abi.V7);

    private final int bits;
    private final Abi abi;

    RestrictSelfFlag(int bits, Abi abi) {
        this.bits = bits;
        this.abi = abi;
    }

    /** The flag's bit in uapi {@code linux/landlock.h}. */
    public int bits() {
        return bits;
    }

    /** The ABI that introduced this flag. */
    public Abi abi() {
        return abi;
    }

    static int toBits(Collection<RestrictSelfFlag> flags) {
        int b = 0;
        for (RestrictSelfFlag f : flags) {
            b |= f.bits;
        }
        return b;
    }
}
