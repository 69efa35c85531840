package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import java.nio.file.Path;
import java.util.Set;

/** One cgroup v1 controller: the limits it owns, how it writes them, what stats it reads. */
interface V1Controller {

    /** The controller name in mountinfo and {@code /proc/self/cgroup}. */
    String name();

    /** The limits this controller implements (reported unsupported when it is not mounted). */
    default Set<Limit> limits() {
        return Set.of();
    }

    /** Adds the writes (or unsupported entries) for {@code plan.limits()} in cgroup directory {@code dir}. */
    default void plan(Path dir, LimitPlan plan, CgroupFs fs) throws CgroupException {}

    /** Reads this controller's counters from {@code dir}. */
    default void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {}
}
