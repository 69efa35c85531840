package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.Set;

/** v2 {@code memory}: Documentation/admin-guide/cgroup-v2.rst, "Memory". */
final class Memory implements V2Controller {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Set<Limit> limits() {
        return Set.of(Limit.MEMORY_MAX, Limit.MEMORY_HIGH, Limit.SWAP_MAX);
    }

    @Override
    public void plan(Path dir, LimitPlan plan, CgroupFs fs) {
        CgroupLimits l = plan.limits();
        l.memoryMax().ifPresent(v -> plan.write(Limit.MEMORY_MAX, dir.resolve("memory.max"), Values.v2(v)));
        if (l.swapMax().isPresent()) {
            Path swap = dir.resolve("memory.swap.max");
            if (fs.exists(swap)) {
                plan.write(Limit.SWAP_MAX, swap, Values.v2(l.swapMax().getAsLong()));
            } else {
                plan.unsupported(Limit.SWAP_MAX, swap + " is missing: the kernel does not account swap"
                        + " (CONFIG_MEMCG_SWAP off or booted with swapaccount=0)");
            }
        }
        l.memoryHigh().ifPresent(v -> plan.write(Limit.MEMORY_HIGH, dir.resolve("memory.high"), Values.v2(v)));
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        out.memoryCurrent = Values.readLong(fs, dir.resolve("memory.current"));
        // memory.peak exists since Linux 5.19.
        out.memoryPeak = Values.readLong(fs, dir.resolve("memory.peak"));
        out.oomKills = Values.readKey(fs, dir.resolve("memory.events"), "oom_kill");
    }
}
