package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import java.nio.file.Path;
import java.util.Set;

/** One cgroup v2 controller: the limits it owns, how it writes them, what stats it reads. */
interface V2Controller {

    /** The name in {@code cgroup.controllers}. */
    String name();

    /** The limits this controller implements (reported unsupported when it is not enabled). */
    Set<Limit> limits();

    /** Adds the writes (or unsupported entries) for {@code plan.limits()}; called only when enabled. */
    void plan(Path dir, LimitPlan plan, CgroupFs fs) throws CgroupException;

    /** Reads this controller's counters, where the files exist. */
    void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException;
}
