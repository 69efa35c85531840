package dev.agentd.landlock;

/** How much of a ruleset's request the kernel enforces, as in the Rust landlock crate. */
public enum RulesetStatus {
    /** Every requested handled right and scope is enforced. */
    FULLY_ENFORCED,
    /**
     * Enforced, but some requested rights or scopes were dropped because the
     * kernel lacks them ({@link CompatLevel#BEST_EFFORT}); those stay allowed.
     * {@link RestrictionStatus#dropped()} lists them.
     */
    PARTIALLY_ENFORCED,
    /**
     * Nothing enforced: Landlock is unavailable or switched off, a
     * {@link CompatLevel#SOFT_REQUIREMENT} was not met, or nothing requested
     * was left after dropping what the kernel lacks.
     */
    NOT_ENFORCED
}
