package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;

/** v1 {@code cpuacct}: CPU time accounting only (Documentation/admin-guide/cgroup-v1/cpuacct.rst). */
final class Cpuacct implements V1Controller {
    @Override
    public String name() {
        return "cpuacct";
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        out.cpuUsageNanos = Values.readLong(fs, dir.resolve("cpuacct.usage"));
    }
}
