package dev.agentd.cgroups;

/**
 * What to do when a requested limit cannot be enforced on this machine. The
 * caller decides: a sandbox that promises a memory cap should fail closed
 * ({@link #STRICT}); a convenience setting may be {@link #BEST_EFFORT}.
 */
public enum LimitMode {
    /**
     * Any unsupported limit throws {@link UnsupportedLimitException} before
     * anything is written (and a cgroup being created is removed again).
     */
    STRICT,
    /**
     * Apply what is supported; the returned {@link LimitReport} lists what was
     * not, with a reason per limit. Never silent: check {@link LimitReport#complete()}.
     */
    BEST_EFFORT
}
