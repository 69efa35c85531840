package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.Set;

/** v1 {@code pids}: Documentation/admin-guide/cgroup-v1/pids.rst (same files as v2). */
final class Pids implements V1Controller {
    @Override
    public String name() {
        return "pids";
    }

    @Override
    public Set<Limit> limits() {
        return Set.of(Limit.PIDS_MAX);
    }

    @Override
    public void plan(Path dir, LimitPlan plan, CgroupFs fs) {
        plan.limits().pidsMax().ifPresent(v -> plan.write(Limit.PIDS_MAX, dir.resolve("pids.max"), Values.v2(v)));
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        out.pidsCurrent = Values.readLong(fs, dir.resolve("pids.current"));
    }
}
