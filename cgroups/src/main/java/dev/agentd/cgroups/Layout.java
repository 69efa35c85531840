package dev.agentd.cgroups;

/** How the machine mounts its cgroup hierarchies, as decided once by {@link Cgroups#detect()}. */
public enum Layout {
    /** Only cgroup v2 carries controllers (one tree at, usually, {@code /sys/fs/cgroup}). */
    UNIFIED,
    /**
     * Controllers on cgroup v1 hierarchies, plus a cgroup v2 mount (usually
     * {@code /sys/fs/cgroup/unified}) used for process tracking only. Driven as v1.
     */
    HYBRID,
    /** Controllers on cgroup v1 hierarchies, no cgroup v2 mount. */
    LEGACY
}
