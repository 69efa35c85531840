package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupStats;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.cgroups.LimitReport;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.CgroupPaths;
import dev.agentd.cgroups.internal.KillLoop;
import dev.agentd.cgroups.internal.LimitPlan;
import dev.agentd.cgroups.internal.Poll;
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/** A cgroup on v2: one directory. */
final class V2Cgroup implements Cgroup {

    /** In the order limits are written. */
    static final List<V2Controller> CONTROLLERS = List.of(new Memory(), new Pids(), new Cpu(), new Io());

    private final String name;
    private final Path dir;
    private final CgroupFs fs;
    /** Why a controller could not be enabled above this cgroup, when creation found out. */
    private final Map<String, String> notEnabled;
    private volatile LimitReport report = LimitReport.empty();

    V2Cgroup(String name, Path dir, CgroupFs fs, Map<String, String> notEnabled) {
        this.name = name;
        this.dir = dir;
        this.fs = fs;
        this.notEnabled = Map.copyOf(notEnabled);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> directories() {
        return List.of(dir);
    }

    @Override
    public LimitReport limitReport() {
        return report;
    }

    @Override
    public LimitReport apply(CgroupLimits limits, LimitMode mode) throws CgroupException {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(mode, "mode");
        // A cgroup's own cgroup.controllers lists what its parent enabled for it.
        Set<String> enabled = Values.words(fs.readIfExists(dir.resolve("cgroup.controllers")).orElse(""));
        LimitPlan plan = new LimitPlan(limits);
        for (V2Controller c : CONTROLLERS) {
            if (enabled.contains(c.name())) {
                c.plan(dir, plan, fs);
            } else {
                plan.unsupportedAll(c.limits(), notEnabled.getOrDefault(c.name(), "controller " + c.name()
                        + " is not enabled for " + dir + " (missing from "
                        + dir.getParent().resolve("cgroup.subtree_control") + ")"));
            }
        }
        report = plan.execute(mode, fs);
        return report;
    }

    @Override
    public CgroupStats stats() throws CgroupException {
        StatsCollector out = new StatsCollector();
        for (V2Controller c : CONTROLLERS) {
            c.stats(dir, fs, out);
        }
        return out.build();
    }

    @Override
    public void freeze(Duration timeout) throws CgroupException {
        Freezer.freeze(dir, fs, timeout);
    }

    @Override
    public void thaw() throws CgroupException {
        Freezer.thaw(dir, fs);
    }

    @Override
    public List<Long> pids() throws CgroupException {
        Path procs = dir.resolve("cgroup.procs");
        return Values.sortedUnion(List.of(Values.ids(procs, fs.read(procs))));
    }

    @Override
    public void addProcess(long pid) throws CgroupException {
        fs.write(dir.resolve("cgroup.procs"), Long.toString(pid));
    }

    @Override
    public boolean canJoinThread() {
        return false;
    }

    @Override
    public void joinThread(int tid) {
        throw new UnsupportedOperationException("cgroup v2 places whole processes, not threads: writing thread " + tid
                + " to cgroup.procs would move this whole process into " + dir
                + "; place the child itself (CLONE_INTO_CGROUP, or addProcess before it runs)");
    }

    @Override
    public void killAll(Duration timeout) throws CgroupException {
        String where = "cgroup " + name + " " + dir;
        Path kill = dir.resolve("cgroup.kill");
        if (!fs.exists(kill)) {
            // cgroup.kill arrived in Linux 5.14; before, do what v1 does.
            KillLoop.Freezer freezer = Freezer.available(dir, fs) ? new KillLoop.Freezer() {
                @Override
                public void freeze(Duration t) throws CgroupException {
                    V2Cgroup.this.freeze(t);
                }

                @Override
                public void thaw() throws CgroupException {
                    V2Cgroup.this.thaw();
                }
            } : null;
            KillLoop.killAll(where, this::pids, freezer, timeout);
            return;
        }
        boolean emptied;
        try {
            KillLoop.refuseSelf(where, pids());
            if (!populated()) {
                return;
            }
            // SIGKILLs every process in the cgroup and its descendants, atomically with respect to forks.
            fs.write(kill, "1");
            emptied = Poll.until(timeout, () -> !populated());
        } catch (CgroupException e) {
            if (KillLoop.vanished(e)) {
                return; // removed meanwhile (its owner cleaned up after the last process left): empty, as in KillLoop
            }
            throw e;
        }
        if (!emptied) {
            throw new CgroupException("kill all in " + where + ": processes " + pids() + " still present after " + timeout);
        }
    }

    /** {@code populated} in cgroup.events covers descendants too; without the file, look at cgroup.procs. */
    private boolean populated() throws CgroupException {
        OptionalLong p = Values.readKey(fs, dir.resolve("cgroup.events"), "populated");
        return p.isPresent() ? p.getAsLong() != 0 : !pids().isEmpty();
    }

    @Override
    public void remove() throws CgroupException {
        if (!fs.exists(dir)) {
            return;
        }
        List<Long> left = pids();
        if (!left.isEmpty()) {
            throw new CgroupException("remove cgroup " + name + " " + dir + ": processes " + left
                    + " are still in it; kill them first (killAll)");
        }
        CgroupPaths.removeAll(fs, List.of(dir));
    }

    @Override
    public String toString() {
        return "V2Cgroup[" + dir + "]";
    }
}
