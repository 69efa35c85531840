package dev.agentd.landlock;

import dev.agentd.linux.LandlockSyscall;
import java.util.Optional;

/**
 * Whether this JVM can use Landlock, probed once (like Netty's {@code Epoll}):
 * the first call asks the kernel for its ABI version with
 * {@code landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)};
 * the answer is kept for the life of the JVM.
 *
 * <p>Setting the system property {@value #DISABLE_PROPERTY} to {@code true}
 * (before the first call) makes Landlock count as unavailable: rulesets then
 * behave as on a kernel without Landlock — {@link CompatLevel#BEST_EFFORT}
 * and {@link CompatLevel#SOFT_REQUIREMENT} report
 * {@link RulesetStatus#NOT_ENFORCED}, {@link CompatLevel#HARD_REQUIREMENT}
 * refuses. For ruling Landlock out when diagnosing a problem, never as a
 * default.
 */
public final class Landlock {
    private Landlock() {}

    /** System property that switches Landlock off for this JVM when {@code true}. */
    public static final String DISABLE_PROPERTY = "dev.agentd.landlock.disabled";

    private static final class Holder {
        static final Probe PROBE = Probe.run(Boolean.getBoolean(DISABLE_PROPERTY),
                LandlockSyscall::abiVersion, LandlockSyscall::abiVersionError);
    }

    static Probe probe() {
        return Holder.PROBE;
    }

    /** True when the kernel offers Landlock and it is not switched off. */
    public static boolean isAvailable() {
        return probe().isAvailable();
    }

    /**
     * Why Landlock is unavailable (the message names the failed call and a
     * likely fix), or {@code null} when it is available.
     */
    public static LandlockUnsupportedException unavailabilityCause() {
        Probe p = probe();
        return p.isAvailable() ? null : LandlockUnsupportedException.unavailable(p.why(), p.cause());
    }

    /** Throws {@link #unavailabilityCause()} unless Landlock is available. */
    public static void ensureAvailability() throws LandlockUnsupportedException {
        LandlockUnsupportedException e = unavailabilityCause();
        if (e != null) {
            throw e;
        }
    }

    /**
     * The version number the kernel reports (it may be higher than any
     * {@link Abi} this library knows), or 0 when Landlock is unavailable.
     */
    public static int abiVersion() {
        return probe().abiVersion();
    }

    /** The kernel's ABI as far as this library knows it; empty when Landlock is unavailable. */
    public static Optional<Abi> abi() {
        return Abi.fromVersion(abiVersion());
    }
}
