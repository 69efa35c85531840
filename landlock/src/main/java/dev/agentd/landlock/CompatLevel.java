package dev.agentd.landlock;

/**
 * What to do when the running kernel lacks something a ruleset asks for (a
 * right, scope or flag from a newer {@link Abi}, or Landlock altogether). In
 * every case the outcome is reported in {@link RestrictionStatus}; nothing is
 * granted silently. The same three levels as the Rust landlock crate.
 *
 * <p>Set with {@link Ruleset#compatibility(CompatLevel)} (applies to what is
 * handled after the call, and is the default for rules) and per rule with
 * {@link PathBeneath#compatibility(CompatLevel)} or
 * {@link NetPort#compatibility(CompatLevel)}. When the same right is handled
 * under several levels, the strictest wins.
 */
public enum CompatLevel {
    /**
     * Enforce what the kernel can and drop the rest: a dropped handled right
     * stays allowed. The status says {@link RulesetStatus#PARTIALLY_ENFORCED}
     * (or {@link RulesetStatus#NOT_ENFORCED} when nothing is left) and lists
     * each dropped item with the ABI it needs. The default: a partial sandbox
     * protects more than none.
     */
    BEST_EFFORT,
    /**
     * All or nothing, quietly: if the kernel lacks any of it, do not restrict
     * at all (no_new_privs is still set) and report
     * {@link RulesetStatus#NOT_ENFORCED}. For sandboxes that would break the
     * program if only partly applied, e.g. one that must allow renames across
     * directories ({@link AccessFs#REFER}) or not be applied.
     */
    SOFT_REQUIREMENT,
    /**
     * Refuse: throw {@link LandlockUnsupportedException} naming what is
     * missing, the ABI it needs and the ABI the kernel has.
     */
    HARD_REQUIREMENT;

    /** The stricter of the two. */
    CompatLevel max(CompatLevel other) {
        return other != null && other.ordinal() > ordinal() ? other : this;
    }
}
