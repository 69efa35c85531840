package dev.agentd.cgroups;

import java.util.Set;

/**
 * Creates and opens cgroups on one machine's cgroup layout. Obtain one from
 * {@link Cgroups#detect()}; the version-specific driver behind it is chosen
 * there, once.
 *
 * <p>New cgroups go under a parent: by default {@code agentd} below this
 * process's own cgroup, per hierarchy (on v1 each controller has its own path
 * in {@code /proc/self/cgroup}). {@link #withParent(String)} changes it. Parent
 * directories are created on demand and never removed by this library.
 *
 * <p>Implementations are immutable and thread-safe.
 */
public interface CgroupManager {

    /** The parent used when {@link #withParent(String)} was not called. */
    String DEFAULT_PARENT = "agentd";

    /** The layout detected on this machine. */
    Layout layout();

    /**
     * The controllers this manager drives here, from {@code cpu}, {@code cpuacct},
     * {@code memory}, {@code pids}, {@code freezer}, {@code blkio} (v1) and
     * {@code cpu}, {@code io}, {@code memory}, {@code pids} (v2). On v2 a controller
     * listed here may still fail to be enabled below the parent; {@link Cgroup#limitReport()}
     * then says so.
     */
    Set<String> controllers();

    /** The parent as given: relative to this process's cgroup, or absolute when it starts with {@code /}. */
    String parent();

    /**
     * A manager that creates cgroups under {@code parent}: a path relative to
     * this process's own cgroup in each hierarchy (e.g. {@code agentd/batch}),
     * or, when it starts with {@code /}, an absolute cgroup path used in every
     * hierarchy.
     *
     * @throws IllegalArgumentException for empty components, {@code .} or {@code ..}
     */
    CgroupManager withParent(String parent);

    /**
     * Creates cgroup {@code name} under the parent and applies {@code limits},
     * all or nothing: if a directory cannot be created, a limit write fails, or
     * ({@link LimitMode#STRICT}) a limit is unsupported, every directory this
     * call created is removed again and the exception is thrown.
     *
     * @param name a single path component, e.g. {@code agent-42}
     * @return the cgroup; {@link Cgroup#limitReport()} tells what was applied
     * @throws UnsupportedLimitException in strict mode, when a limit cannot be enforced here
     * @throws CgroupException when the cgroup exists already or the kernel refuses a write
     * @throws IllegalArgumentException when {@code name} is not a single valid component
     */
    Cgroup create(String name, CgroupLimits limits, LimitMode mode) throws CgroupException;

    /**
     * A handle on an existing cgroup under the parent (for example one left by
     * a previous run, to kill and remove it). Hierarchies where it is missing
     * are left out.
     *
     * @throws CgroupException when it exists in no hierarchy
     */
    Cgroup open(String name) throws CgroupException;

    /**
     * A handle on an existing cgroup by the directories {@link Cgroup#directories()}
     * gave when it was created, whatever this manager's parent and this process's
     * own cgroup are now (a restarted supervisor may run elsewhere in the tree).
     * Each directory must lie below one of this machine's hierarchies (v1: one
     * directory per hierarchy at most) and end in {@code name}, or nothing is
     * opened; directories gone meanwhile are left out.
     *
     * @throws CgroupException when none of them exists any more
     * @throws IllegalArgumentException when a directory is not a cgroup {@code name} of a hierarchy here
     */
    Cgroup openRecorded(String name, java.util.List<java.nio.file.Path> directories) throws CgroupException;
}
