package dev.agentd.landlock;

import dev.agentd.linux.Errno;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The outcome of asking the kernel for its Landlock ABI: a version, or 0 and
 * why not.
 *
 * @param abiVersion what {@code landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)}
 *                   returned; 0 when Landlock cannot be used
 * @param why        a sentence saying why it cannot, with a hint; {@code null} when it can
 * @param cause      the underlying failure, if any
 */
record Probe(int abiVersion, String why, Throwable cause) {

    static Probe available(int abiVersion) {
        return new Probe(abiVersion, null, null);
    }

    boolean isAvailable() {
        return abiVersion > 0;
    }

    /** The same probe with its version lowered to at most {@code max}, to pretend an older kernel. */
    Probe cappedAt(Abi max) {
        return isAvailable() ? new Probe(Math.min(abiVersion, max.version()), why, cause) : this;
    }

    /**
     * Runs the probe. Detection is by system call only, never by
     * {@code /sys/kernel/security} (not mounted on every machine, and the
     * syscall is what a ruleset will need anyway).
     *
     * @param disabled true when switched off by {@link Landlock#DISABLE_PROPERTY}
     * @param version  the version call; returns 0 on failure
     * @param error    the errno of the failed version call
     */
    static Probe run(boolean disabled, IntSupplier version, Supplier<Errno> error) {
        if (disabled) {
            return new Probe(0, "switched off with -D" + Landlock.DISABLE_PROPERTY + "=true", null);
        }
        try {
            int v = version.getAsInt();
            if (v > 0) {
                return available(v);
            }
            Errno e = error.get();
            return new Probe(0, explain(e), null);
        } catch (RuntimeException | LinkageError e) {
            // The native binding itself failed (no libc, unknown architecture):
            // Landlock cannot be used from here, whatever the kernel has.
            return new Probe(0, "the native binding failed: " + e, e);
        }
    }

    /** Why a failed version call means no Landlock, with a hint at the fix (as bubblewrap does for seccomp). */
    static String explain(Errno e) {
        String failed = "landlock_create_ruleset failed: " + (e == null ? "no error number" : e.name());
        if (e == Errno.ENOSYS) {
            return failed + "; hint: the kernel is older than 5.13 or built without CONFIG_SECURITY_LANDLOCK";
        }
        if (e == Errno.EOPNOTSUPP) {
            return failed + "; hint: Landlock is built in but not enabled at boot: add landlock to CONFIG_LSM"
                    + " or to the lsm= kernel parameter";
        }
        return failed + "; hint: a seccomp filter may be blocking the Landlock system calls";
    }
}
