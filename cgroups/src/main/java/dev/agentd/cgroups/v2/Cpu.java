package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CpuQuota;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;

/** v2 {@code cpu}: Documentation/admin-guide/cgroup-v2.rst, "CPU". */
final class Cpu implements V2Controller {
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
            // "$MAX $PERIOD", where $MAX may be "max".
            plan.write(Limit.CPU_MAX, dir.resolve("cpu.max"), Values.v2(q.quotaMicros()) + " " + q.periodMicros());
        }
        plan.limits().cpuWeight().ifPresent(w ->
                plan.write(Limit.CPU_WEIGHT, dir.resolve("cpu.weight"), Integer.toString(w)));
    }

    /** {@code cpu.stat} exists in every v2 cgroup; {@code nr_throttled} only with the cpu controller enabled. */
    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        Path stat = dir.resolve("cpu.stat");
        OptionalLong usec = Values.readKey(fs, stat, "usage_usec");
        out.cpuUsageNanos = usec.isPresent() ? OptionalLong.of(usec.getAsLong() * 1_000) : OptionalLong.empty();
        out.cpuThrottled = Values.readKey(fs, stat, "nr_throttled");
    }
}
