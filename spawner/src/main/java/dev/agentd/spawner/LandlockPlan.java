package dev.agentd.spawner;

import dev.agentd.landlock.Abi;
import dev.agentd.landlock.AccessFs;
import dev.agentd.landlock.CompatLevel;
import dev.agentd.landlock.PathBeneath;
import dev.agentd.landlock.RestrictionStatus;
import dev.agentd.landlock.Ruleset;
import dev.agentd.landlock.RulesetCreated;
import dev.agentd.landlock.Scope;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Landlock half of a sandbox's filesystem rules: what each path of the
 * view allows, mapped onto the staging directory where the view is built.
 *
 * <p>Rights are built for a pinned ABI ({@link #PINNED}), never for "whatever
 * this kernel has": on an older kernel, {@link SandboxSpec.LandlockMode#HARD}
 * refuses the spawn and best effort reports each dropped right.
 *
 * @param stagingRoot  where the sandbox root is assembled on the host
 * @param rules        access by sandbox path
 * @param hostRules    access by host path, for what is outside the view (a restore's images directory)
 * @param privateNetwork the sandbox has its own network namespace (network NONE)
 * @param mode         hard requirement or best effort
 */
record LandlockPlan(Path stagingRoot, List<PathAccess> rules, List<PathAccess> hostRules, boolean privateNetwork, SandboxSpec.LandlockMode mode) {
    /** ABI 6 (Linux 6.12): every filesystem right agentd uses and both scopes. */
    static final Abi PINNED = Abi.V6;

    /** A created ruleset, ready to enforce on the spawning thread. */
    interface Prepared {
        List<String> restrict() throws IOException;
    }

    static Set<AccessFs> rights(PathAccess.Kind kind) {
        Set<AccessFs> read = EnumSet.of(AccessFs.READ_FILE, AccessFs.READ_DIR);
        Set<AccessFs> write = EnumSet.of(AccessFs.WRITE_FILE, AccessFs.REMOVE_DIR, AccessFs.REMOVE_FILE,
                AccessFs.MAKE_DIR, AccessFs.MAKE_REG, AccessFs.MAKE_SOCK, AccessFs.MAKE_FIFO, AccessFs.MAKE_SYM,
                AccessFs.REFER, AccessFs.TRUNCATE);
        Set<AccessFs> r = EnumSet.copyOf(read);
        switch (kind) {
            case LIST:
                r = EnumSet.of(AccessFs.READ_DIR);
                break;
            case READ:
                break;
            case EXECUTE:
                r.add(AccessFs.EXECUTE);
                break;
            case WRITE:
                r.addAll(write);
                break;
            case WRITE_EXECUTE:
                r.addAll(write);
                r.add(AccessFs.EXECUTE);
                break;
            case DEVICE:
                r = EnumSet.of(AccessFs.READ_FILE, AccessFs.WRITE_FILE, AccessFs.TRUNCATE, AccessFs.IOCTL_DEV);
                break;
            case WRITE_EXISTING:
                r = EnumSet.of(AccessFs.WRITE_FILE);
                break;
            default:
                throw new AssertionError(kind);
        }
        return r;
    }

    Prepared prepare() throws IOException {
        // With a private network namespace the namespace is the network's
        // boundary: it holds only lo, and abstract Unix sockets are per
        // namespace. Landlock's TCP rules and abstract-socket scope would add
        // nothing there but make the agent impossible to checkpoint and
        // restore: CRIU's parasite, inside the agent's domain, connects to an
        // abstract socket criu creates outside it, and criu restore, which runs
        // in the agent's domain (that is how the domain survives), probes TCP
        // repair by binding a socket. The signal scope stays in every case.
        Ruleset ruleset = new Ruleset()
                .handleAccess(AccessFs.fromAll(PINNED))
                .scope(privateNetwork ? EnumSet.of(Scope.SIGNAL) : Scope.fromAll(PINNED));
        ruleset = ruleset.compatibility(mode == SandboxSpec.LandlockMode.HARD ? CompatLevel.HARD_REQUIREMENT : CompatLevel.BEST_EFFORT);
        RulesetCreated created = ruleset.create();
        try {
            for (PathAccess a : rules) {
                Path staged = stagingRoot.resolve(Path.of("/").relativize(a.path()));
                created.addRule(PathBeneath.of(staged, rights(a.kind())));
            }
            for (PathAccess a : hostRules) {
                created.addRule(PathBeneath.of(a.path(), rights(a.kind())));
            }
        } catch (IOException | RuntimeException e) {
            created.close();
            throw e;
        }
        return () -> {
            try (created) {
                RestrictionStatus status = created.restrictSelf();
                List<String> dropped = new ArrayList<>();
                for (RestrictionStatus.Dropped d : status.dropped()) {
                    // Only what leaves something allowed that was to be denied
                    // is "dropped"; a right stripped from a file rule because
                    // it applies to directories only denies more, not less.
                    if (d.reason() != RestrictionStatus.Reason.NOT_A_DIRECTORY
                            && d.reason() != RestrictionStatus.Reason.OPTIONAL_PATH_MISSING) {
                        dropped.add("landlock: " + d);
                    }
                }
                return dropped;
            }
        };
    }
}
