package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import java.time.Duration;
import java.util.List;

/**
 * Kills every process of a cgroup without {@code cgroup.kill}: the v1 way,
 * and the v2 fallback before Linux 5.14. As runc's {@code signalAllProcesses}:
 * freeze so that nothing forks between listing and signalling, SIGKILL each
 * pid, thaw so the signals are acted on, and repeat until the cgroup is empty.
 */
public final class KillLoop {
    private KillLoop() {}

    /**
     * How long one round waits for the killed processes to leave before
     * listing again: SIGKILLed tasks exit in microseconds to milliseconds, so
     * 200 ms covers a loaded machine while still re-killing late forks quickly.
     */
    private static final Duration ROUND = Duration.ofMillis(200);

    /** Lists the cgroup's processes. */
    @FunctionalInterface
    public interface Pids {
        List<Long> list() throws CgroupException;
    }

    /** A cgroup freezer. */
    public interface Freezer {
        void freeze(Duration timeout) throws CgroupException;

        void thaw() throws CgroupException;
    }

    /**
     * @param where the cgroup, for messages
     * @param freezer {@code null} when there is none (then forks racing the
     *        listing are caught by the next round)
     */
    public static void killAll(String where, Pids listed, Freezer freezer, Duration timeout) throws CgroupException {
        // A cgroup removed meanwhile (its owner cleaned up after the last
        // process left) is empty: that is what this loop is waiting for.
        Pids pids = () -> {
            try {
                return listed.list();
            } catch (CgroupException e) {
                if (vanished(e)) {
                    return List.of();
                }
                throw e;
            }
        };
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<Long> now = pids.list();
            if (now.isEmpty()) {
                return;
            }
            refuseSelf(where, now);
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new CgroupException("kill all in " + where + ": processes " + now + " still present after " + timeout);
            }
            boolean frozen = false;
            if (freezer != null) {
                try {
                    freezer.freeze(Duration.ofNanos(Math.min(left, ROUND.toNanos())));
                    frozen = true;
                } catch (CgroupException e) {
                    // A task in uninterruptible sleep can keep the group FREEZING;
                    // freeze() has thawed again. SIGKILL still ends most tasks, so
                    // kill unfrozen and let the next round catch new forks.
                }
            }
            try {
                for (long pid : pids.list()) {
                    Processes.sigkill(pid);
                }
            } finally {
                if (frozen) {
                    // Frozen tasks only die once thawed.
                    try {
                        freezer.thaw();
                    } catch (CgroupException e) {
                        if (!vanished(e)) {
                            throw e;
                        }
                    }
                }
            }
            Poll.until(Duration.ofNanos(Math.max(0, Math.min(deadline - System.nanoTime(), ROUND.toNanos()))),
                    () -> pids.list().isEmpty());
        }
    }

    /**
     * The cgroup was removed: its files are gone (ENOENT), or were still open
     * while it went and now answer ENODEV ("No such device").
     */
    public static boolean vanished(CgroupException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException) {
                return true;
            }
            if (t instanceof java.io.IOException && String.valueOf(t.getMessage()).contains("No such device")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A v1 thread of ours that joined the cgroup (to spawn into it) makes our
     * pid show in {@code cgroup.procs}. Killing it would kill the caller, and
     * waiting for it to leave would never end: refuse clearly.
     */
    public static void refuseSelf(String where, List<Long> pids) throws CgroupException {
        long self = ProcessHandle.current().pid();
        if (pids.contains(self)) {
            throw new CgroupException("refusing to kill all in " + where + ": it contains this process (pid " + self
                    + "); a thread that joined it must end first");
        }
    }
}
