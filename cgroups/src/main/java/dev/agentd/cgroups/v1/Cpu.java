package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CpuQuota;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.Set;

/** v1 {@code cpu}: CFS bandwidth (Documentation/scheduler/sched-bwc.rst) and shares. */
final class Cpu implements V1Controller {
    static final String QUOTA = "cpu.cfs_quota_us";
    static final String PERIOD = "cpu.cfs_period_us";
    static final String SHARES = "cpu.shares";

    /** {@code MIN_SHARES} and {@code MAX_SHARES} in kernel/sched/sched.h. */
    static final long MIN_SHARES = 2;
    static final long MAX_SHARES = 262_144;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Set<Limit> limits() {
        return Set.of(Limit.CPU_MAX, Limit.CPU_WEIGHT);
    }

    @Override
    public void plan(Path dir, LimitPlan plan, CgroupFs fs) {
        if (plan.limits().cpuMax().isPresent()) {
            CpuQuota q = plan.limits().cpuMax().get();
            Path quota = dir.resolve(QUOTA);
            if (!fs.exists(quota)) {
                plan.unsupported(Limit.CPU_MAX, quota + " is missing: the kernel lacks CONFIG_CFS_BANDWIDTH");
            } else {
                plan.write(Limit.CPU_MAX, dir.resolve(PERIOD), Long.toString(q.periodMicros()));
                plan.write(Limit.CPU_MAX, quota, Values.v1(q.quotaMicros()));
            }
        }
        plan.limits().cpuWeight().ifPresent(w ->
                plan.write(Limit.CPU_WEIGHT, dir.resolve(SHARES), Long.toString(shares(w))));
    }

    /**
     * cgroup v2 weight (1..10000) to v1 shares (2..262144), linearly, exactly as
     * runc converts ({@code ConvertCPUSharesToCgroupV2Value} in
     * libcontainer/cgroups/utils.go, inverted): {@code 2 + ((weight-1)*262142)/9999}.
     */
    static long shares(int weight) {
        return MIN_SHARES + ((weight - 1L) * (MAX_SHARES - MIN_SHARES)) / (CgroupLimits.WEIGHT_MAX - CgroupLimits.WEIGHT_MIN);
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        out.cpuThrottled = Values.readKey(fs, dir.resolve("cpu.stat"), "nr_throttled");
    }
}
