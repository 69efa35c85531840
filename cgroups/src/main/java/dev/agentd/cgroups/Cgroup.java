package dev.agentd.cgroups;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One cgroup created or opened by a {@link CgroupManager}: its limits, stats,
 * processes, freezer and removal, the same on every cgroup version.
 *
 * <p>Methods are safe to call from several threads; the kernel serialises the
 * writes. Every failure is a {@link CgroupException} naming the file involved.
 */
public interface Cgroup {

    /** The name given at creation. */
    String name();

    /**
     * This cgroup's directories: one per v1 hierarchy, or the single v2
     * directory (what a v2 spawner opens for {@code CLONE_INTO_CGROUP}).
     */
    List<Path> directories();

    /** What the creating call (or the latest {@link #apply}) applied and could not apply. */
    LimitReport limitReport();

    /**
     * Applies {@code limits} (unset limits are left as they are). Unlike
     * creation this is not all or nothing: if the kernel refuses the third
     * write, the first two stay. In {@link LimitMode#STRICT} nothing is written
     * when any limit is unsupported.
     *
     * @throws UnsupportedLimitException in strict mode, when a limit cannot be enforced here
     */
    LimitReport apply(CgroupLimits limits, LimitMode mode) throws CgroupException;

    /** Current counters; values the machine does not provide are empty. */
    CgroupStats stats() throws CgroupException;

    /**
     * Stops every process in the cgroup and returns once the kernel reports
     * them frozen (v1 {@code freezer.state} {@code FROZEN}, v2 {@code cgroup.events}
     * {@code frozen 1}).
     *
     * @throws CgroupException when not frozen within {@code timeout} (the cgroup is
     *         thawed again), or there is no freezer
     */
    void freeze(Duration timeout) throws CgroupException;

    /** Lets frozen processes run again. */
    void thaw() throws CgroupException;

    /** The ids of the processes in the cgroup ({@code cgroup.procs}; on v1 the union over hierarchies), sorted. */
    List<Long> pids() throws CgroupException;

    /** Moves process {@code pid} (all its threads) into this cgroup, in every hierarchy. */
    void addProcess(long pid) throws CgroupException;

    /**
     * True when a single thread can join ({@link #joinThread(int)}): cgroup v1.
     * On v2 membership is per process.
     */
    boolean canJoinThread();

    /**
     * Moves one thread into this cgroup (v1 {@code tasks}, every hierarchy), so
     * that processes it spawns start inside. The thread's own process then
     * shows in {@link #pids()}: let the thread end before {@link #killAll}.
     *
     * @param tid the kernel thread id ({@code gettid()})
     * @throws UnsupportedOperationException on cgroup v2, which places whole
     *         processes only (writing a thread id to {@code cgroup.procs} would
     *         move the whole JVM)
     */
    void joinThread(int tid) throws CgroupException;

    /**
     * SIGKILLs every process in the cgroup and waits until it is empty. v2 uses
     * {@code cgroup.kill} (Linux ≥ 5.14); otherwise the group is frozen first so
     * nothing forks between listing and killing, then thawed so the signals land.
     *
     * @throws CgroupException when processes remain after {@code timeout}, or the
     *         cgroup contains this very process (it refuses to kill its caller)
     */
    void killAll(Duration timeout) throws CgroupException;

    /**
     * Removes the cgroup's directories. Only an empty cgroup can be removed;
     * directories already gone are ignored.
     *
     * @throws CgroupException naming the remaining pids when processes are left
     */
    void remove() throws CgroupException;
}
