package dev.agentd.cgroups;

/** The limits a {@link CgroupLimits} can carry, as named in a {@link LimitReport}. */
public enum Limit {
    /** Hard memory cap: v2 {@code memory.max}, v1 {@code memory.limit_in_bytes}. */
    MEMORY_MAX,
    /** Throttle-and-reclaim threshold: v2 {@code memory.high}; v1 has no equivalent. */
    MEMORY_HIGH,
    /** Swap cap: v2 {@code memory.swap.max}, v1 {@code memory.memsw.limit_in_bytes} (memory + swap). */
    SWAP_MAX,
    /** CPU bandwidth: v2 {@code cpu.max}, v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}. */
    CPU_MAX,
    /** CPU share under contention: v2 {@code cpu.weight}, v1 {@code cpu.shares}. */
    CPU_WEIGHT,
    /** Process/thread count: {@code pids.max} on both versions. */
    PIDS_MAX,
    /** I/O share: v2 {@code io.weight}, v1 {@code blkio.weight} or {@code blkio.bfq.weight}. */
    IO_WEIGHT
}
