package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import java.nio.file.Path;
import java.util.Set;

/**
 * v1 {@code blkio} weight. {@code blkio.weight} belonged to the CFQ scheduler,
 * removed in Linux 5.0; with BFQ the file is {@code blkio.bfq.weight}. As runc
 * ({@code detectWeightFilenames} in libcontainer/cgroups/fs/blkio.go) use
 * whichever exists.
 */
final class Blkio implements V1Controller {
    static final String WEIGHT = "blkio.weight";
    static final String BFQ_WEIGHT = "blkio.bfq.weight";

    /** blkio weights run 10..1000 (Documentation/admin-guide/cgroup-v1/blkio-controller.rst). */
    static final int MIN_WEIGHT = 10;
    static final int MAX_WEIGHT = 1_000;

    @Override
    public String name() {
        return "blkio";
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
        Path file = fs.exists(dir.resolve(WEIGHT)) ? dir.resolve(WEIGHT)
                : fs.exists(dir.resolve(BFQ_WEIGHT)) ? dir.resolve(BFQ_WEIGHT) : null;
        if (file == null) {
            plan.unsupported(Limit.IO_WEIGHT, "neither " + WEIGHT + " nor " + BFQ_WEIGHT + " exists in " + dir
                    + ": no weight-based I/O scheduler (CFQ or BFQ) in this kernel");
            return;
        }
        plan.write(Limit.IO_WEIGHT, file, Integer.toString(weight(plan.limits().ioWeight().getAsInt())));
    }

    /**
     * v2 io.weight (1..10000) to v1 blkio weight (10..1000): the inverse of
     * runc's {@code ConvertBlkIOToIOWeightValue} ({@code 1 + (w-10)*9999/990}).
     */
    static int weight(int ioWeight) {
        return MIN_WEIGHT + (int) ((ioWeight - 1L) * (MAX_WEIGHT - MIN_WEIGHT)
                / (CgroupLimits.WEIGHT_MAX - CgroupLimits.WEIGHT_MIN));
    }
}
