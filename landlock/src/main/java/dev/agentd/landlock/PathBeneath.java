package dev.agentd.landlock;

import java.nio.file.Path;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Allows {@code access} on a file hierarchy: the directory {@code path} and
 * everything beneath it, or the single file {@code path}. The path is opened
 * (following symlinks, {@code O_PATH}) when the rule is added, so the rule
 * binds to the file the path names at that moment; renaming it later does not
 * change the rule.
 *
 * <p>When the path is not a directory, rights that only apply to directory
 * content ({@code READ_DIR}, {@code MAKE_*}, {@code REMOVE_*}, {@code REFER})
 * are stripped before the kernel sees them (it would refuse the rule with
 * EINVAL) and the status reports it, as the Rust landlock crate does. So one
 * access set can be used for directories and files alike.
 *
 * <p>Immutable; {@link #optional()} and {@link #compatibility(CompatLevel)}
 * return modified copies.
 */
public final class PathBeneath implements Rule {
    private final Path path;
    private final Set<AccessFs> access;
    private final boolean optional;
    private final CompatLevel compatibility;

    private PathBeneath(Path path, Set<AccessFs> access, boolean optional, CompatLevel compatibility) {
        this.path = path;
        this.access = access;
        this.optional = optional;
        this.compatibility = compatibility;
    }

    /**
     * A rule allowing {@code access} beneath {@code path}.
     *
     * @throws LandlockRulesetException ({@code EMPTY_ACCESS}) when {@code access} is empty
     */
    public static PathBeneath of(Path path, Collection<AccessFs> access) {
        Objects.requireNonNull(path, "path");
        PathBeneath rule = new PathBeneath(path, AccessFs.unmodifiable(access), false, null);
        if (access.isEmpty()) {
            throw LandlockRulesetException.ofRule(LandlockRulesetException.Problem.EMPTY_ACCESS, rule,
                    "no access right given");
        }
        return rule;
    }

    /** A rule allowing the given rights beneath {@code path}. */
    public static PathBeneath of(Path path, AccessFs first, AccessFs... rest) {
        return of(path, EnumSet.of(first, rest));
    }

    /**
     * This rule, but skipped (and reported in the status) instead of failing
     * when the path does not exist — for paths that differ between machines,
     * such as {@code /lib64}.
     */
    public PathBeneath optional() {
        return new PathBeneath(path, access, true, compatibility);
    }

    /** This rule with its own compatibility level, overriding the ruleset's. */
    public PathBeneath compatibility(CompatLevel level) {
        return new PathBeneath(path, access, optional, Objects.requireNonNull(level, "level"));
    }

    /** The path, as given. */
    public Path path() {
        return path;
    }

    /** The allowed rights (unmodifiable). */
    @Override
    public Set<AccessFs> access() {
        return access;
    }

    /** Whether a missing path skips this rule instead of failing. */
    public boolean isOptional() {
        return optional;
    }

    @Override
    public Optional<CompatLevel> compatibility() {
        return Optional.ofNullable(compatibility);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathBeneath p && p.path.equals(path) && p.access.equals(access)
                && p.optional == optional && p.compatibility == compatibility;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, access, optional, compatibility);
    }

    /** E.g. {@code PathBeneath[/usr {EXECUTE, READ_FILE, READ_DIR}]}. */
    @Override
    public String toString() {
        return "PathBeneath[" + path + " " + names(access) + (optional ? " optional" : "")
                + (compatibility == null ? "" : " " + compatibility) + "]";
    }

    static String names(Collection<? extends Enum<?>> items) {
        return items.stream().map(Enum::name).collect(Collectors.joining(", ", "{", "}"));
    }
}
