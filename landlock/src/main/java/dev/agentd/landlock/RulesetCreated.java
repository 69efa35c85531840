package dev.agentd.landlock;

import dev.agentd.landlock.LandlockRulesetException.Problem;
import dev.agentd.landlock.RestrictionStatus.Dropped;
import dev.agentd.landlock.RestrictionStatus.Reason;
import dev.agentd.linux.Errno;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A ruleset the kernel has created (or, when nothing can be enforced, its
 * stand-in): add rules, then {@link #restrictSelf()}. Every rule is checked
 * in Java first — its rights must be handled by the ruleset, its path must
 * exist — so the outcome of a request does not depend on the kernel, only
 * what gets enforced does.
 *
 * <p>Not thread-safe. Holds a file descriptor until {@link #restrictSelf()}
 * or {@link #close()}.
 */
public final class RulesetCreated implements AutoCloseable {
    /**
     * {@code Thread.isVirtual()} where the JDK has it (19+). Looked up once:
     * restricting a virtual thread would restrict whichever carrier thread runs
     * it, and so unrelated virtual threads later.
     */
    private static final Method IS_VIRTUAL = isVirtualMethod();

    private enum State { OPEN, RESTRICTED, CLOSED }

    private final Kernel kernel;
    private final CompatLevel defaultLevel;
    private final Set<AccessFs> requestedFs;
    private final Set<AccessNet> requestedNet;
    private final Compat compat;
    private final Set<AccessFs> enforcedFs;
    private final Set<AccessNet> enforcedNet;
    private final Set<Scope> enforcedScopes;
    private final Set<RestrictSelfFlag> enforcedFlags;
    private final boolean partial;
    private final List<Dropped> dropped;
    private Kernel.Handle handle;
    private State state = State.OPEN;

    RulesetCreated(Kernel kernel, CompatLevel defaultLevel, Set<AccessFs> requestedFs, Set<AccessNet> requestedNet,
            Compat compat, Kernel.Handle handle, Set<AccessFs> enforcedFs, Set<AccessNet> enforcedNet,
            Set<Scope> enforcedScopes, Set<RestrictSelfFlag> enforcedFlags, boolean partial, List<Dropped> dropped) {
        this.kernel = kernel;
        this.defaultLevel = defaultLevel;
        this.requestedFs = AccessFs.copyOf(requestedFs);
        this.requestedNet = requestedNet.isEmpty() ? EnumSet.noneOf(AccessNet.class) : EnumSet.copyOf(requestedNet);
        this.compat = compat;
        this.handle = handle;
        this.enforcedFs = enforcedFs;
        this.enforcedNet = enforcedNet;
        this.enforcedScopes = enforcedScopes;
        this.enforcedFlags = enforcedFlags;
        this.partial = partial;
        this.dropped = dropped;
    }

    /** Whether restrictSelf will enforce anything (so far). */
    public boolean isEnforcing() {
        return handle != null;
    }

    /**
     * Adds a rule.
     *
     * @throws LandlockRulesetException when the rule allows a right the ruleset does not
     *     handle, or names a path that does not exist (unless {@linkplain PathBeneath#optional() optional})
     * @throws LandlockUnsupportedException when the kernel lacks a right of a rule under
     *     {@link CompatLevel#HARD_REQUIREMENT}
     * @throws LandlockSyscallException when the kernel refuses the rule
     * @throws IllegalStateException after {@link #restrictSelf()} or {@link #close()}
     */
    public RulesetCreated addRule(Rule rule) throws IOException {
        checkOpen();
        if (rule instanceof PathBeneath p) {
            addPathBeneath(p);
        } else if (rule instanceof NetPort n) {
            addNetPort(n);
        }
        return this;
    }

    /** Adds each rule in order; see {@link #addRule(Rule)}. */
    public RulesetCreated addRules(Iterable<? extends Rule> rules) throws IOException {
        for (Rule r : rules) {
            addRule(r);
        }
        return this;
    }

    private void addPathBeneath(PathBeneath rule) throws IOException {
        checkHandled(rule, rule.access(), requestedFs);
        BasicFileAttributes attributes;
        try {
            // Follows symlinks, as the kernel's O_PATH open will.
            attributes = Files.readAttributes(rule.path(), BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            missing(rule, e);
            return;
        }
        EnumSet<AccessFs> access = AccessFs.copyOf(rule.access());
        if (!attributes.isDirectory()) {
            // The kernel refuses a rule for a non-directory that carries a
            // directory-only right (EINVAL); those rights could never apply to
            // it anyway, so drop them and say so, as the Rust crate does.
            EnumSet<AccessFs> dirOnly = AccessFs.copyOf(access);
            dirOnly.removeIf(AccessFs::appliesToFiles);
            if (!dirOnly.isEmpty()) {
                access.removeAll(dirOnly);
                dropped.add(new Dropped(rule.toString(), Reason.NOT_A_DIRECTORY,
                        (access.isEmpty() ? "rule skipped: " : "") + PathBeneath.names(dirOnly)
                                + " apply to directories only, and " + rule.path() + " is not one"));
            }
            if (access.isEmpty()) {
                return;
            }
        }
        access = compatible(rule, access, AccessFs::abi);
        access.retainAll(enforcedFs);
        if (access.isEmpty() || handle == null) {
            return;
        }
        try {
            kernel.addPathBeneath(handle, rule.path(), AccessFs.toBits(access));
        } catch (NoSuchFileException e) {
            // Removed between the check above and the kernel's open.
            missing(rule, e);
        } catch (SyscallException e) {
            throw new LandlockSyscallException(e, "adding rule " + rule, addRuleHint(e));
        }
    }

    private void missing(PathBeneath rule, NoSuchFileException e) {
        if (!rule.isOptional()) {
            throw new LandlockRulesetException(Problem.MISSING_PATH, "rule " + rule,
                    rule.path() + " does not exist (mark the rule optional() to skip it instead)", rule.path(), e);
        }
        dropped.add(new Dropped(rule.toString(), Reason.OPTIONAL_PATH_MISSING,
                "rule skipped: " + rule.path() + " does not exist"));
    }

    private void addNetPort(NetPort rule) throws IOException {
        checkHandled(rule, rule.access(), requestedNet);
        EnumSet<AccessNet> access = compatible(rule, EnumSet.copyOf(rule.access()), AccessNet::abi);
        access.retainAll(enforcedNet);
        if (access.isEmpty() || handle == null) {
            return;
        }
        try {
            kernel.addNetPort(handle, rule.port(), AccessNet.toBits(access));
        } catch (SyscallException e) {
            if (e.is(Errno.EAFNOSUPPORT)) {
                // Ignorable by name: a kernel without TCP cannot do what the
                // rule would allow ("Network support" in the kernel's Landlock
                // documentation). Nothing is granted by skipping it.
                dropped.add(new Dropped(rule.toString(), Reason.TCP_UNSUPPORTED,
                        "rule skipped: the kernel has no TCP support (EAFNOSUPPORT)"));
                return;
            }
            throw new LandlockSyscallException(e, "adding rule " + rule, addRuleHint(e));
        }
    }

    /** The caller's request must make sense whatever the kernel: a rule may only allow handled rights. */
    private <E extends Enum<E>> void checkHandled(Rule rule, Set<E> access, Set<E> handled) {
        List<E> notHandled = new ArrayList<>(access);
        notHandled.removeAll(handled);
        if (!notHandled.isEmpty()) {
            throw LandlockRulesetException.ofRule(Problem.ACCESS_NOT_HANDLED, rule,
                    PathBeneath.names(notHandled) + " not handled by the ruleset (it handles "
                            + PathBeneath.names(handled) + ")");
        }
    }

    /** The rule's rights the kernel can enforce, under the rule's (or the ruleset's) compatibility level. */
    private <E extends Enum<E>> EnumSet<E> compatible(Rule rule, EnumSet<E> access, Function<E, Abi> abiOf)
            throws LandlockUnsupportedException {
        EnumSet<E> lacking = compat.lacking(access, abiOf);
        if (lacking.isEmpty()) {
            return access;
        }
        String detail = compat.needs(lacking, abiOf);
        switch (rule.compatibility().orElse(defaultLevel)) {
            case HARD_REQUIREMENT:
                throw compat.unsupported(rule, lacking, abiOf);
            case SOFT_REQUIREMENT:
                if (handle != null) {
                    // All or nothing: forget the kernel ruleset, enforce nothing.
                    handle.close();
                    handle = null;
                    dropped.add(new Dropped(rule.toString(), Reason.SOFT_REQUIREMENT_UNMET,
                            detail + "; soft requirement, so nothing is enforced"));
                }
                break;
            default:
                access.removeAll(lacking);
                if (handle != null) {
                    dropped.add(new Dropped(rule.toString(), Reason.KERNEL_LACKS,
                            (access.isEmpty() ? "rule skipped: " : "removed from the rule: ") + detail));
                }
        }
        return access;
    }

    /**
     * Restricts the calling thread — and every process it starts from now
     * on, for life — to this ruleset. Other threads of the process are not
     * affected (Landlock domains are per thread); in a JVM, call this on a
     * dedicated platform thread that does nothing afterwards but start the
     * sandboxed process, and touch every class that thread will need before
     * (after the call it may no longer be able to read class files).
     *
     * <p>First sets no_new_privs on the thread, even when nothing is
     * enforced (as the Rust crate does): {@code landlock_restrict_self}
     * requires it of a thread without CAP_SYS_ADMIN, and without it a
     * sandboxed program could execute a set-user-ID binary and gain
     * privileges the ruleset never considered.
     *
     * <p>The ruleset's descriptor is closed afterwards. On failure the thread
     * may have no_new_privs but no Landlock domain: do not start anything
     * from it.
     *
     * @throws LandlockSyscallException when prctl or landlock_restrict_self fails
     * @throws IllegalStateException when called twice, after {@link #close()},
     *     or on a virtual thread
     */
    public RestrictionStatus restrictSelf() throws IOException {
        checkOpen();
        if (isVirtual(Thread.currentThread())) {
            throw new IllegalStateException("restrictSelf() on a virtual thread would restrict its carrier thread;"
                    + " use a dedicated platform thread");
        }
        // Build the result before restricting: afterwards this thread may be
        // unable to open the class files a lazily loaded class would need.
        boolean enforcing = handle != null;
        RestrictionStatus status = enforcing
                ? new RestrictionStatus(partial ? RulesetStatus.PARTIALLY_ENFORCED : RulesetStatus.FULLY_ENFORCED,
                        compat.kernelAbi(), enforcedFs, enforcedNet, enforcedScopes, enforcedFlags, dropped, true)
                : new RestrictionStatus(RulesetStatus.NOT_ENFORCED, compat.kernelAbi(), EnumSet.noneOf(AccessFs.class),
                        EnumSet.noneOf(AccessNet.class), EnumSet.noneOf(Scope.class),
                        EnumSet.noneOf(RestrictSelfFlag.class), dropped, true);
        int flagBits = RestrictSelfFlag.toBits(enforcedFlags);
        try {
            // no_new_privs before landlock_restrict_self: see the Javadoc.
            kernel.setNoNewPrivs();
        } catch (SyscallException e) {
            close();
            throw new LandlockSyscallException(e, "setting no_new_privs before restricting the thread",
                    "a seccomp filter may be refusing prctl");
        }
        if (!enforcing) {
            state = State.RESTRICTED;
            return status;
        }
        try {
            kernel.restrictSelf(handle, flagBits);
        } catch (SyscallException e) {
            close();
            throw new LandlockSyscallException(e, "restricting the calling thread", restrictHint(e));
        }
        state = State.RESTRICTED;
        handle.close();
        handle = null;
        return status;
    }

    /** Releases the kernel ruleset without restricting anything. Idempotent. */
    @Override
    public void close() {
        if (handle != null) {
            handle.close();
            handle = null;
        }
        if (state == State.OPEN) {
            state = State.CLOSED;
        }
    }

    private void checkOpen() {
        if (state == State.RESTRICTED) {
            throw new IllegalStateException("this ruleset has already restricted a thread; create a new one");
        }
        if (state == State.CLOSED) {
            throw new IllegalStateException("this ruleset is closed");
        }
    }

    private static String addRuleHint(SyscallException e) {
        if (e.is(Errno.EINVAL)) {
            return "the rule allows a right the ruleset does not handle, or a directory right on a file;"
                    + " this library filters both, so the kernel and this library disagree";
        }
        if (e.is(Errno.ENOMSG)) {
            return "the rule allows nothing";
        }
        if (e.is(Errno.EBADF) || e.is(Errno.EBADFD)) {
            return "the ruleset descriptor was closed or replaced";
        }
        return null;
    }

    private static String restrictHint(SyscallException e) {
        if (e.is(Errno.EPERM)) {
            return "the thread has neither no_new_privs nor CAP_SYS_ADMIN";
        }
        if (e.is(Errno.E2BIG)) {
            return "the thread already has 16 stacked Landlock domains, the kernel's limit";
        }
        if (e.is(Errno.EINVAL)) {
            return "a restrict_self flag is unknown to this kernel";
        }
        return null;
    }

    private static Method isVirtualMethod() {
        try {
            return Thread.class.getMethod("isVirtual");
        } catch (NoSuchMethodException e) {
            return null; // JDK < 19: no virtual threads
        }
    }

    private static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (Boolean) IS_VIRTUAL.invoke(t);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot tell whether " + t + " is virtual", e);
        }
    }
}
