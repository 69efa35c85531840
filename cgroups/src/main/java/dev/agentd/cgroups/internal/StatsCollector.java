package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupStats;
import java.util.OptionalLong;

/** Collects the counters controllers report, then builds a {@link CgroupStats}. */
public final class StatsCollector {
    public OptionalLong memoryCurrent = OptionalLong.empty();
    public OptionalLong memoryPeak = OptionalLong.empty();
    public OptionalLong cpuUsageNanos = OptionalLong.empty();
    public OptionalLong cpuThrottled = OptionalLong.empty();
    public OptionalLong pidsCurrent = OptionalLong.empty();
    public OptionalLong oomKills = OptionalLong.empty();

    public CgroupStats build() {
        return new CgroupStats(memoryCurrent, memoryPeak, cpuUsageNanos, cpuThrottled, pidsCurrent, oomKills);
    }
}
