package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import java.nio.file.Path;
import java.util.Set;

/**
 * v2 {@code io} weight. {@code io.weight} comes from the iocost controller
 * (CONFIG_BLK_CGROUP_IOCOST); with the BFQ scheduler the file is
 * {@code io.bfq.weight} on the 1..1000 scale. As runc's fs2 {@code setIo},
 * use whichever exists.
 */
final class Io implements V2Controller {

    /** io.bfq.weight's default range per block/bfq-cgroup.c is 1..1000; we map onto 10..1000 like v1 blkio. */
    static final int BFQ_MIN = 10;
    static final int BFQ_MAX = 1_000;

    @Override
    public String name() {
        return "io";
    }

    @Override
    public Set<Limit> limits() {
        return Set.of(Limit.IO_WEIGHT);
    }

    @Override
    public void plan(Path dir, LimitPlan plan, CgroupFs fs) {
        if (plan.limits().ioWeight().isEmpty()) {
            return;
        }
        int w = plan.limits().ioWeight().getAsInt();
        Path weight = dir.resolve("io.weight");
        Path bfq = dir.resolve("io.bfq.weight");
        if (fs.exists(weight)) {
            // "default $WEIGHT" sets the weight for devices without an override.
            plan.write(Limit.IO_WEIGHT, weight, "default " + w);
        } else if (fs.exists(bfq)) {
            plan.write(Limit.IO_WEIGHT, bfq, Integer.toString(BFQ_MIN + (int) ((w - 1L) * (BFQ_MAX - BFQ_MIN)
                    / (CgroupLimits.WEIGHT_MAX - CgroupLimits.WEIGHT_MIN))));
        } else {
            plan.unsupported(Limit.IO_WEIGHT, "neither io.weight nor io.bfq.weight exists in " + dir
                    + ": the kernel has no iocost controller and no BFQ scheduler");
        }
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) {}
}
