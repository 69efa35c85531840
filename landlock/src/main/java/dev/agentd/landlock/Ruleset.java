package dev.agentd.landlock;

import dev.agentd.landlock.LandlockRulesetException.Problem;
import dev.agentd.landlock.RestrictionStatus.Dropped;
import dev.agentd.landlock.RestrictionStatus.Reason;
import dev.agentd.linux.Errno;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What a Landlock sandbox handles — the rights denied by default, the IPC
 * scopes, the {@code restrict_self} flags — and how to cope with a kernel
 * that lacks some of it. {@link #create()} turns it into a kernel ruleset
 * ({@link RulesetCreated}) that takes the rules.
 *
 * <p>An immutable value: every method returns a new {@code Ruleset} and
 * leaves this one unchanged, so one ruleset can be kept and shared (a
 * supervisor can build it once and {@code create()} it on every spawning
 * thread).
 *
 * <pre>{@code
 * RestrictionStatus status = new Ruleset()
 *         .handleAccess(AccessFs.fromAll(Abi.V5))
 *         .handleAccess(AccessNet.fromAll(Abi.V4))
 *         .scope(Scope.fromAll(Abi.V6))
 *         .create()
 *         .addRule(PathBeneath.of(Path.of("/usr"), AccessFs.fromRead(Abi.V5)))
 *         .addRule(PathBeneath.of(workDir, AccessFs.fromAll(Abi.V5)))
 *         .addRule(NetPort.of(443, AccessNet.CONNECT_TCP))
 *         .restrictSelf();
 * }</pre>
 *
 * <p>{@link #compatibility(CompatLevel)} applies to what is handled after it
 * (as in the Rust landlock crate), and the level in force at
 * {@link #create()} is the default for rules. A right handled under several
 * levels gets the strictest.
 */
public final class Ruleset {
    private final Kernel kernel;
    private final CompatLevel level;
    // Never modified after construction: every method copies.
    private final EnumMap<AccessFs, CompatLevel> fs;
    private final EnumMap<AccessNet, CompatLevel> net;
    private final EnumMap<Scope, CompatLevel> scopes;
    private final EnumMap<RestrictSelfFlag, CompatLevel> flags;

    /** An empty ruleset for the running kernel, {@link CompatLevel#BEST_EFFORT}. */
    public Ruleset() {
        this(Kernel.real());
    }

    /** An empty ruleset for {@code kernel}: tests pass a fake or an ABI-capped kernel. */
    Ruleset(Kernel kernel) {
        this(kernel, CompatLevel.BEST_EFFORT, new EnumMap<>(AccessFs.class), new EnumMap<>(AccessNet.class),
                new EnumMap<>(Scope.class), new EnumMap<>(RestrictSelfFlag.class));
    }

    private Ruleset(Kernel kernel, CompatLevel level, EnumMap<AccessFs, CompatLevel> fs,
            EnumMap<AccessNet, CompatLevel> net, EnumMap<Scope, CompatLevel> scopes,
            EnumMap<RestrictSelfFlag, CompatLevel> flags) {
        this.kernel = kernel;
        this.level = level;
        this.fs = fs;
        this.net = net;
        this.scopes = scopes;
        this.flags = flags;
    }

    /**
     * Handles these rights (file system and/or network): once enforced, they
     * are denied except where a rule allows them.
     *
     * @throws LandlockRulesetException ({@code EMPTY_ACCESS}) for an empty collection
     */
    public Ruleset handleAccess(Collection<? extends Access> rights) {
        if (rights.isEmpty()) {
            throw LandlockRulesetException.ofRuleset(Problem.EMPTY_ACCESS, "handleAccess() was given no access right");
        }
        EnumMap<AccessFs, CompatLevel> newFs = new EnumMap<>(fs);
        EnumMap<AccessNet, CompatLevel> newNet = new EnumMap<>(net);
        for (Access a : rights) {
            if (a instanceof AccessFs f) {
                newFs.merge(f, level, CompatLevel::max);
            } else if (a instanceof AccessNet n) {
                newNet.merge(n, level, CompatLevel::max);
            }
        }
        return new Ruleset(kernel, level, newFs, newNet, new EnumMap<>(scopes), new EnumMap<>(flags));
    }

    /** Handles the given rights. */
    public Ruleset handleAccess(Access first, Access... rest) {
        List<Access> all = new ArrayList<>();
        all.add(Objects.requireNonNull(first));
        Collections.addAll(all, rest);
        return handleAccess(all);
    }

    /**
     * Scopes the domain ({@link Abi#V6}): once enforced, it cannot reach these
     * IPC targets outside itself.
     *
     * @throws LandlockRulesetException ({@code EMPTY_ACCESS}) for an empty collection
     */
    public Ruleset scope(Collection<Scope> scoped) {
        if (scoped.isEmpty()) {
            throw LandlockRulesetException.ofRuleset(Problem.EMPTY_ACCESS, "scope() was given no scope");
        }
        EnumMap<Scope, CompatLevel> newScopes = new EnumMap<>(scopes);
        for (Scope s : scoped) {
            newScopes.merge(s, level, CompatLevel::max);
        }
        return new Ruleset(kernel, level, new EnumMap<>(fs), new EnumMap<>(net), newScopes, new EnumMap<>(flags));
    }

    /** Scopes the domain to the given scopes. */
    public Ruleset scope(Scope first, Scope... rest) {
        List<Scope> all = new ArrayList<>();
        all.add(Objects.requireNonNull(first));
        Collections.addAll(all, rest);
        return scope(all);
    }

    /** Passes these audit-logging flags ({@link Abi#V7}) to {@code landlock_restrict_self}. */
    public Ruleset restrictSelfFlags(Collection<RestrictSelfFlag> restrictFlags) {
        EnumMap<RestrictSelfFlag, CompatLevel> newFlags = new EnumMap<>(flags);
        for (RestrictSelfFlag f : restrictFlags) {
            newFlags.merge(f, level, CompatLevel::max);
        }
        return new Ruleset(kernel, level, new EnumMap<>(fs), new EnumMap<>(net), new EnumMap<>(scopes), newFlags);
    }

    /** Passes the given flags to {@code landlock_restrict_self}. */
    public Ruleset restrictSelfFlags(RestrictSelfFlag first, RestrictSelfFlag... rest) {
        List<RestrictSelfFlag> all = new ArrayList<>();
        all.add(Objects.requireNonNull(first));
        Collections.addAll(all, rest);
        return restrictSelfFlags(all);
    }

    /**
     * Sets the compatibility level for what is handled after this call, and
     * the default level of the rules added to the created ruleset.
     */
    public Ruleset compatibility(CompatLevel newLevel) {
        return new Ruleset(kernel, Objects.requireNonNull(newLevel, "level"), new EnumMap<>(fs), new EnumMap<>(net),
                new EnumMap<>(scopes), new EnumMap<>(flags));
    }

    /** The level in force: what the next {@code handleAccess} call and the rules get. */
    public CompatLevel compatibility() {
        return level;
    }

    /** The file system rights requested as handled (before any compatibility decision). */
    public Set<AccessFs> handledAccessFs() {
        return Collections.unmodifiableSet(fs.keySet());
    }

    /** The network rights requested as handled. */
    public Set<AccessNet> handledAccessNet() {
        return Collections.unmodifiableSet(net.keySet());
    }

    /** The scopes requested. */
    public Set<Scope> scopes() {
        return Collections.unmodifiableSet(scopes.keySet());
    }

    /** The {@code restrict_self} flags requested. */
    public Set<RestrictSelfFlag> restrictSelfFlags() {
        return Collections.unmodifiableSet(flags.keySet());
    }

    /**
     * Resolves this request against the kernel's ABI and, when something is
     * left to enforce, creates the kernel ruleset
     * ({@code landlock_create_ruleset}).
     *
     * @throws LandlockRulesetException ({@code NOTHING_HANDLED}) when nothing is handled
     * @throws LandlockUnsupportedException when the kernel lacks something handled
     *     under {@link CompatLevel#HARD_REQUIREMENT}
     * @throws LandlockSyscallException when the kernel refuses the ruleset
     */
    public RulesetCreated create() throws IOException {
        if (fs.isEmpty() && net.isEmpty() && scopes.isEmpty()) {
            throw LandlockRulesetException.ofRuleset(Problem.NOTHING_HANDLED,
                    "it handles no access right and no scope; call handleAccess() or scope() first");
        }
        Probe probe = kernel.probe();
        List<Dropped> dropped = new ArrayList<>();
        Compat compat = new Compat(probe, dropped);
        Set<AccessFs> enforcedFs = compat.resolve(fs, AccessFs.class, AccessFs::abi);
        Set<AccessNet> enforcedNet = compat.resolve(net, AccessNet.class, AccessNet::abi);
        Set<Scope> enforcedScopes = compat.resolve(scopes, Scope.class, Scope::abi);
        Set<RestrictSelfFlag> enforcedFlags = compat.resolve(flags, RestrictSelfFlag.class, RestrictSelfFlag::abi);
        compat.throwIfHardUnmet();

        boolean nothingLeft = enforcedFs.isEmpty() && enforcedNet.isEmpty() && enforcedScopes.isEmpty();
        if (!probe.isAvailable()) {
            dropped.add(new Dropped("Landlock", Reason.LANDLOCK_UNAVAILABLE, probe.why()));
        } else if (!compat.softUnmet() && nothingLeft) {
            // landlock_create_ruleset would refuse an empty ruleset (ENOMSG); an
            // empty one would enforce nothing anyway.
            dropped.add(new Dropped("ruleset", Reason.NOTHING_TO_ENFORCE,
                    "every handled right and scope was dropped: nothing left to enforce"));
        }
        boolean enforce = probe.isAvailable() && !compat.softUnmet() && !nothingLeft;
        Kernel.Handle handle = null;
        if (enforce) {
            try {
                handle = kernel.createRuleset(AccessFs.toBits(enforcedFs), AccessNet.toBits(enforcedNet),
                        Scope.toBits(enforcedScopes));
            } catch (SyscallException e) {
                throw new LandlockSyscallException(e, "creating the ruleset", createHint(e));
            }
        }
        boolean partial = enforcedFs.size() < fs.size() || enforcedNet.size() < net.size()
                || enforcedScopes.size() < scopes.size();
        return new RulesetCreated(kernel, level, fs.keySet(), net.keySet(), compat, handle, enforcedFs, enforcedNet,
                enforcedScopes, enforcedFlags, partial, dropped);
    }

    private static String createHint(SyscallException e) {
        if (e.is(Errno.EINVAL)) {
            return "the kernel refused a handled right or scope its reported ABI should have;"
                    + " the ABI probe and the kernel disagree";
        }
        if (e.is(Errno.ENOMSG)) {
            return "the ruleset handles nothing";
        }
        return null;
    }

    @Override
    public String toString() {
        return "Ruleset[" + level + ", fs=" + fs + ", net=" + net + ", scopes=" + scopes + ", flags=" + flags + "]";
    }
}
