package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Set;

/** v1 {@code memory}: Documentation/admin-guide/cgroup-v1/memory.rst. */
final class Memory implements V1Controller {
    static final String LIMIT = "memory.limit_in_bytes";
    static final String MEMSW_LIMIT = "memory.memsw.limit_in_bytes";

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Set<Limit> limits() {
        return Set.of(Limit.MEMORY_MAX, Limit.MEMORY_HIGH, Limit.SWAP_MAX);
    }

    @Override
    public void plan(Path dir, LimitPlan plan, CgroupFs fs) throws CgroupException {
        CgroupLimits l = plan.limits();
        if (l.memoryHigh().isPresent()) {
            plan.unsupported(Limit.MEMORY_HIGH,
                    "cgroup v1 has no memory.high: throttling below the hard limit exists only in cgroup v2");
        }
        if (l.memoryMax().isEmpty()) {
            return; // CgroupLimits guarantees swapMax is unset too
        }
        long memory = l.memoryMax().getAsLong();
        Path limit = dir.resolve(LIMIT);
        if (l.swapMax().isEmpty()) {
            plan.write(Limit.MEMORY_MAX, limit, Values.v1(memory));
            return;
        }
        Path memsw = dir.resolve(MEMSW_LIMIT);
        if (!fs.exists(memsw)) {
            plan.unsupported(Limit.SWAP_MAX, memsw + " is missing: the kernel does not account swap"
                    + " (CONFIG_MEMCG_SWAP off or booted with swapaccount=0)");
            plan.write(Limit.MEMORY_MAX, limit, Values.v1(memory));
            return;
        }
        // v1 limits memory + swap together; v2's swap-only value converts by addition.
        long swap = l.swapMax().getAsLong();
        long total = memory == CgroupLimits.MAX || swap == CgroupLimits.MAX || memory > CgroupLimits.MAX - swap
                ? CgroupLimits.MAX : memory + swap;
        // The kernel keeps memsw.limit >= limit at every moment (EINVAL otherwise),
        // so raising memory above the current memsw limit must raise memsw first
        // (runc's setMemoryAndSwap does the same).
        OptionalLong currentMemsw = Values.readLong(fs, memsw);
        boolean memswFirst = currentMemsw.isPresent() && memory > currentMemsw.getAsLong();
        if (memswFirst) {
            plan.write(Limit.SWAP_MAX, memsw, Values.v1(total));
            plan.write(Limit.MEMORY_MAX, limit, Values.v1(memory));
        } else {
            plan.write(Limit.MEMORY_MAX, limit, Values.v1(memory));
            plan.write(Limit.SWAP_MAX, memsw, Values.v1(total));
        }
    }

    @Override
    public void stats(Path dir, CgroupFs fs, StatsCollector out) throws CgroupException {
        out.memoryCurrent = Values.readLong(fs, dir.resolve("memory.usage_in_bytes"));
        out.memoryPeak = Values.readLong(fs, dir.resolve("memory.max_usage_in_bytes"));
        // The oom_kill line exists since Linux 4.13.
        out.oomKills = Values.readKey(fs, dir.resolve("memory.oom_control"), "oom_kill");
    }
}
