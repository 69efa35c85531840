package dev.agentd.landlock;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What {@link RulesetCreated#restrictSelf()} did: exactly what the kernel was
 * asked to enforce, and what was left out and why. Immutable.
 */
public final class RestrictionStatus {

    /**
     * Something requested that is not in the enforced ruleset.
     *
     * @param item   what, e.g. {@code AccessFs.IOCTL_DEV} or {@code PathBeneath[/lib64 {READ_FILE}]}
     * @param reason why, as a category
     * @param detail why, in words, e.g. {@code IOCTL_DEV needs ABI 5, kernel has 3}
     */
    public record Dropped(String item, Reason reason, String detail) {
        @Override
        public String toString() {
            return item + ": " + detail;
        }
    }

    /** Why something was dropped. Only the first four leave something allowed that was asked to be denied. */
    public enum Reason {
        /** The kernel's ABI lacks this right, scope or flag (under {@link CompatLevel#BEST_EFFORT}). */
        KERNEL_LACKS,
        /** Landlock is unavailable or switched off: nothing is enforced. */
        LANDLOCK_UNAVAILABLE,
        /** A {@link CompatLevel#SOFT_REQUIREMENT} was not met: nothing is enforced. */
        SOFT_REQUIREMENT_UNMET,
        /** Everything the ruleset handles was dropped, so there was nothing to enforce. */
        NOTHING_TO_ENFORCE,
        /** An {@linkplain PathBeneath#optional() optional} rule's path does not exist: rule skipped (denies more, not less). */
        OPTIONAL_PATH_MISSING,
        /** Directory-only rights removed from a rule for a non-directory; the kernel would refuse them. */
        NOT_A_DIRECTORY,
        /**
         * A TCP rule the kernel refused with EAFNOSUPPORT: built without TCP
         * ({@code CONFIG_INET}), so what it would allow is impossible anyway
         * (Linux {@code Documentation/userspace-api/landlock.rst}, "Network support").
         */
        TCP_UNSUPPORTED
    }

    private final RulesetStatus ruleset;
    private final int kernelAbiVersion;
    private final Set<AccessFs> handledAccessFs;
    private final Set<AccessNet> handledAccessNet;
    private final Set<Scope> scopes;
    private final Set<RestrictSelfFlag> restrictSelfFlags;
    private final List<Dropped> dropped;
    private final boolean noNewPrivs;

    RestrictionStatus(RulesetStatus ruleset, int kernelAbiVersion, Collection<AccessFs> fs, Collection<AccessNet> net,
            Collection<Scope> scopes, Collection<RestrictSelfFlag> flags, List<Dropped> dropped, boolean noNewPrivs) {
        this.ruleset = ruleset;
        this.kernelAbiVersion = kernelAbiVersion;
        this.handledAccessFs = freeze(fs, AccessFs.class);
        this.handledAccessNet = freeze(net, AccessNet.class);
        this.scopes = freeze(scopes, Scope.class);
        this.restrictSelfFlags = freeze(flags, RestrictSelfFlag.class);
        this.dropped = List.copyOf(dropped);
        this.noNewPrivs = noNewPrivs;
    }

    private static <E extends Enum<E>> Set<E> freeze(Collection<E> c, Class<E> type) {
        EnumSet<E> s = EnumSet.noneOf(type);
        s.addAll(c);
        return Collections.unmodifiableSet(s);
    }

    /** Fully, partially or not enforced. */
    public RulesetStatus ruleset() {
        return ruleset;
    }

    /** True unless {@link RulesetStatus#NOT_ENFORCED}. */
    public boolean isEnforced() {
        return ruleset != RulesetStatus.NOT_ENFORCED;
    }

    /**
     * The ABI the request was resolved against: the kernel's, as far as this
     * library knows it (a newer kernel counts as {@link Abi#V7}); empty when
     * Landlock is unavailable.
     */
    public Optional<Abi> abi() {
        return Abi.fromVersion(kernelAbiVersion);
    }

    /** The ABI version number the kernel reported (0: no Landlock). */
    public int kernelAbiVersion() {
        return kernelAbiVersion;
    }

    /** The file system rights handed to the kernel as handled (empty when not enforced). */
    public Set<AccessFs> handledAccessFs() {
        return handledAccessFs;
    }

    /** The network rights handed to the kernel as handled (empty when not enforced). */
    public Set<AccessNet> handledAccessNet() {
        return handledAccessNet;
    }

    /** The scopes handed to the kernel (empty when not enforced). */
    public Set<Scope> scopes() {
        return scopes;
    }

    /** The flags passed to {@code landlock_restrict_self} (empty when not enforced). */
    public Set<RestrictSelfFlag> restrictSelfFlags() {
        return restrictSelfFlags;
    }

    /** Everything requested but not enforced, in the order it was decided. */
    public List<Dropped> dropped() {
        return dropped;
    }

    /**
     * Whether no_new_privs is set on the calling thread ({@code restrictSelf}
     * always sets it, even when nothing is enforced).
     */
    public boolean noNewPrivs() {
        return noNewPrivs;
    }

    @Override
    public String toString() {
        return "RestrictionStatus[" + ruleset + ", " + (kernelAbiVersion > 0 ? "kernel ABI " + kernelAbiVersion : "no Landlock")
                + (noNewPrivs ? ", no_new_privs" : "") + ", fs=" + PathBeneath.names(handledAccessFs)
                + ", net=" + PathBeneath.names(handledAccessNet) + ", scopes=" + PathBeneath.names(scopes)
                + ", flags=" + PathBeneath.names(restrictSelfFlags) + ", dropped=" + dropped + "]";
    }
}
