package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import java.time.Duration;

/** Waiting for the kernel to reach a cgroup state, with a bound. */
public final class Poll {
    private Poll() {}

    /**
     * Longest sleep between checks. Freezing and emptying a cgroup take
     * microseconds to a few milliseconds; 20 ms keeps latency low without
     * busy-looping on a shared machine.
     */
    private static final long MAX_SLEEP_MILLIS = 20;

    /** A check that may read cgroup files. */
    @FunctionalInterface
    public interface Condition {
        boolean met() throws CgroupException;
    }

    /**
     * Checks {@code condition} until it holds or {@code timeout} passes,
     * sleeping 1, 2, 4 … up to {@value #MAX_SLEEP_MILLIS} ms in between. It is
     * always checked at least once.
     *
     * @return whether it held
     * @throws CgroupException from the check, or when interrupted (the interrupt flag is kept)
     */
    public static boolean until(Duration timeout, Condition condition) throws CgroupException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sleep = 1;
        while (true) {
            if (condition.met()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            sleep(Math.min(sleep, Math.max(1, left / 1_000_000)));
            sleep = Math.min(sleep * 2, MAX_SLEEP_MILLIS);
        }
    }

    static void sleep(long millis) throws CgroupException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException("interrupted while waiting for a cgroup", e);
        }
    }
}
