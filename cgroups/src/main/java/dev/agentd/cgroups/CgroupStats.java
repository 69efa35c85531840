package dev.agentd.cgroups;

import java.util.OptionalLong;

/**
 * A snapshot of a cgroup's counters. A value is empty when this machine does
 * not provide it (controller not mounted or not enabled, file absent on an
 * older kernel).
 *
 * @param memoryCurrentBytes memory in use: v2 {@code memory.current}, v1 {@code memory.usage_in_bytes}
 * @param memoryPeakBytes highest memory use: v2 {@code memory.peak} (Linux ≥ 5.19), v1 {@code memory.max_usage_in_bytes}
 * @param cpuUsageNanos CPU time consumed: v2 {@code cpu.stat usage_usec} × 1000, v1 {@code cpuacct.usage}
 * @param cpuThrottledPeriods periods in which the CPU quota throttled the group: {@code cpu.stat nr_throttled}
 * @param pidsCurrent tasks in the group: {@code pids.current}
 * @param oomKills processes killed by the OOM killer: v2 {@code memory.events oom_kill}, v1 {@code memory.oom_control oom_kill}
 */
public record CgroupStats(
        OptionalLong memoryCurrentBytes,
        OptionalLong memoryPeakBytes,
        OptionalLong cpuUsageNanos,
        OptionalLong cpuThrottledPeriods,
        OptionalLong pidsCurrent,
        OptionalLong oomKills) {
}
