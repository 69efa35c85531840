package dev.agentd.cgroups.v1;

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
import dev.agentd.cgroups.internal.StatsCollector;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** A cgroup on v1: one directory per hierarchy. */
final class V1Cgroup implements Cgroup {

    /** In the order limits are written. */
    static final List<V1Controller> CONTROLLERS =
            List.of(new Memory(), new Pids(), new Cpu(), new Cpuacct(), new Freezer(), new Blkio());

    private final String name;
    private final Map<String, Path> dirs;
    private final List<Path> directories;
    private final CgroupFs fs;
    private volatile LimitReport report = LimitReport.empty();

    /** @param dirs directory per controller name; co-mounted controllers share one */
    V1Cgroup(String name, Map<String, Path> dirs, CgroupFs fs) {
        this.name = name;
        this.dirs = Map.copyOf(dirs);
        this.directories = List.copyOf(new LinkedHashSet<>(dirs.values()));
        this.fs = fs;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Path> directories() {
        return directories;
    }

    @Override
    public LimitReport limitReport() {
        return report;
    }

    @Override
    public LimitReport apply(CgroupLimits limits, LimitMode mode) throws CgroupException {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(mode, "mode");
        LimitPlan plan = new LimitPlan(limits);
        for (V1Controller c : CONTROLLERS) {
            Path dir = dirs.get(c.name());
            if (dir == null) {
                plan.unsupportedAll(c.limits(), "no cgroup v1 " + c.name() + " hierarchy is mounted");
            } else {
                c.plan(dir, plan, fs);
            }
        }
        report = plan.execute(mode, fs);
        return report;
    }

    @Override
    public CgroupStats stats() throws CgroupException {
        StatsCollector out = new StatsCollector();
        for (V1Controller c : CONTROLLERS) {
            Path dir = dirs.get(c.name());
            if (dir != null) {
                c.stats(dir, fs, out);
            }
        }
        return out.build();
    }

    @Override
    public void freeze(Duration timeout) throws CgroupException {
        Freezer.freeze(freezerDir(), fs, timeout);
    }

    @Override
    public void thaw() throws CgroupException {
        Freezer.thaw(freezerDir(), fs);
    }

    private Path freezerDir() throws CgroupException {
        Path d = dirs.get("freezer");
        if (d == null) {
            throw new CgroupException("cgroup " + name + ": no cgroup v1 freezer hierarchy is mounted");
        }
        return d;
    }

    /** The union over hierarchies: a process placed in only some of them still counts. */
    @Override
    public List<Long> pids() throws CgroupException {
        List<List<Long>> all = new ArrayList<>();
        for (Path d : directories) {
            Path procs = d.resolve("cgroup.procs");
            all.add(Values.ids(procs, fs.read(procs)));
        }
        return Values.sortedUnion(all);
    }

    @Override
    public void addProcess(long pid) throws CgroupException {
        for (Path d : directories) {
            fs.write(d.resolve("cgroup.procs"), Long.toString(pid));
        }
    }

    @Override
    public boolean canJoinThread() {
        return true;
    }

    /** v1 membership is per thread: {@code tasks} takes a thread id. */
    @Override
    public void joinThread(int tid) throws CgroupException {
        for (Path d : directories) {
            fs.write(d.resolve("tasks"), Integer.toString(tid));
        }
    }

    @Override
    public void killAll(Duration timeout) throws CgroupException {
        KillLoop.Freezer freezer = dirs.containsKey("freezer") ? new KillLoop.Freezer() {
            @Override
            public void freeze(Duration t) throws CgroupException {
                V1Cgroup.this.freeze(t);
            }

            @Override
            public void thaw() throws CgroupException {
                V1Cgroup.this.thaw();
            }
        } : null;
        KillLoop.killAll("cgroup " + name + " " + directories, this::pids, freezer, timeout);
    }

    @Override
    public void remove() throws CgroupException {
        // Only the directories still there: a retried remove() must not trip over the ones already gone.
        List<Path> existing = new ArrayList<>();
        List<List<Long>> all = new ArrayList<>();
        for (Path d : directories) {
            if (fs.exists(d)) {
                existing.add(d);
                Path procs = d.resolve("cgroup.procs");
                all.add(Values.ids(procs, fs.read(procs)));
            }
        }
        List<Long> left = Values.sortedUnion(all);
        if (!left.isEmpty()) {
            throw new CgroupException("remove cgroup " + name + " " + directories + ": processes " + left
                    + " are still in it; kill them first (killAll)");
        }
        CgroupPaths.removeAll(fs, existing);
    }

    @Override
    public String toString() {
        return "V1Cgroup" + directories;
    }
}
