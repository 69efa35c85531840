package dev.agentd.cgroups;

/**
 * CPU bandwidth: at most {@code quotaMicros} of CPU time per {@code periodMicros}
 * of wall time, summed over all CPUs (so {@code 200000/100000} is two CPUs).
 * {@link CgroupLimits#MAX} as quota means no cap.
 *
 * <p>Only positivity is checked here; the kernel enforces its own bounds
 * (Documentation/scheduler/sched-bwc.rst: quota and period at least 1 ms,
 * period at most 1 s) and a violation surfaces as a {@link CgroupException}
 * naming the file and value.
 *
 * @param quotaMicros CPU time per period in microseconds, or {@link CgroupLimits#MAX}
 * @param periodMicros the accounting period in microseconds
 */
public record CpuQuota(long quotaMicros, long periodMicros) {

    /**
     * The period used when none is given: 100 ms, the kernel's default
     * {@code cpu.cfs_period_us} (sched-bwc.rst) and what {@code docker --cpus} uses.
     */
    public static final long DEFAULT_PERIOD_MICROS = 100_000;

    public CpuQuota {
        if (quotaMicros <= 0) {
            throw new IllegalArgumentException("CPU quota must be positive microseconds or CgroupLimits.MAX, got " + quotaMicros);
        }
        if (periodMicros <= 0 || periodMicros == CgroupLimits.MAX) {
            throw new IllegalArgumentException("CPU period must be positive microseconds, got " + periodMicros);
        }
    }

    /** No CPU cap, with the default period. */
    public static CpuQuota unlimited() {
        return new CpuQuota(CgroupLimits.MAX, DEFAULT_PERIOD_MICROS);
    }

    /** {@code quotaMicros} per {@link #DEFAULT_PERIOD_MICROS}. */
    public static CpuQuota ofQuota(long quotaMicros) {
        return new CpuQuota(quotaMicros, DEFAULT_PERIOD_MICROS);
    }

    /** True when there is no cap. */
    public boolean isUnlimited() {
        return quotaMicros == CgroupLimits.MAX;
    }
}
