package dev.agentd.landlock;

import java.util.Optional;

/**
 * A version of the Landlock ABI: the set of restrictions a kernel can enforce.
 * The kernel reports its version with
 * {@code landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)};
 * each version only adds to the previous one.
 *
 * <p>Pin the ABI your code was written and tested against —
 * {@code AccessFs.fromAll(Abi.V5)} — rather than "whatever the running kernel
 * has": a right this library learns about later would otherwise start being
 * denied by default in your sandbox after a library upgrade, untested. The
 * running kernel's version decides only what of the pinned request can be
 * enforced (see {@link CompatLevel}).
 *
 * <p>Kernel releases below are those that introduced each version (Linux
 * {@code Documentation/userspace-api/landlock.rst}, "Previous limitations";
 * uapi {@code linux/landlock.h}).
 */
public enum Abi {
    /** Linux 5.13: file system access control (execute, read, write, directory and node creation/removal). */
    V1(1, "5.13"),
    /** Linux 5.19: {@link AccessFs#REFER}, linking and renaming a file across directories. */
    V2(2, "5.19"),
    /** Linux 6.2: {@link AccessFs#TRUNCATE}. */
    V3(3, "6.2"),
    /** Linux 6.7: TCP {@link AccessNet#BIND_TCP} and {@link AccessNet#CONNECT_TCP}. */
    V4(4, "6.7"),
    /** Linux 6.10: {@link AccessFs#IOCTL_DEV}, ioctl(2) on character and block devices. */
    V5(5, "6.10"),
    /** Linux 6.12: scopes, {@link Scope#ABSTRACT_UNIX_SOCKET} and {@link Scope#SIGNAL}. */
    V6(6, "6.12"),
    /** Linux 6.15: audit logging flags for {@code landlock_restrict_self} ({@link RestrictSelfFlag}). */
    V7(7, "6.15");

    private final int version;
    private final String kernel;

    Abi(int version, String kernel) {
        this.version = version;
        this.kernel = kernel;
    }

    /** The number the kernel reports for this version. */
    public int version() {
        return version;
    }

    /** The Linux release that introduced this version, e.g. {@code "6.10"}. */
    public String kernel() {
        return kernel;
    }

    /** True when this version includes everything {@code other} has. */
    public boolean isAtLeast(Abi other) {
        return version >= other.version;
    }

    /**
     * The ABI a kernel reporting {@code version} offers, as far as this library
     * knows it: empty for 0 or less (no Landlock), and the highest known
     * version ({@link #V7}) for a newer kernel — newer kernels keep every older
     * right, and this library can use no right it does not know.
     */
    public static Optional<Abi> fromVersion(int version) {
        if (version <= 0) {
            return Optional.empty();
        }
        Abi[] all = values();
        return Optional.of(all[Math.min(version, all.length) - 1]);
    }

    /**
     * The running kernel's ABI, probed once per JVM; empty when Landlock is
     * unavailable or switched off (see {@link Landlock#isAvailable()} and
     * {@link Landlock#unavailabilityCause()} for why).
     */
    public static Optional<Abi> current() {
        return Landlock.abi();
    }

    @Override
    public String toString() {
        return "ABI " + version + " (Linux " + kernel + ")";
    }
}
