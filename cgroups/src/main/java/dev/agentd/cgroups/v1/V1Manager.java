package dev.agentd.cgroups.v1;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.cgroups.Layout;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.CgroupPaths;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The cgroup v1 driver (legacy and hybrid layouts), after runc's
 * {@code cgroups/fs}. Not for direct use: {@link Cgroups#detect()} builds it.
 */
public final class V1Manager implements CgroupManager {

    /**
     * The v1 controllers this driver touches. cpuset is left out on purpose: a
     * new cpuset cgroup starts with empty {@code cpuset.cpus}/{@code cpuset.mems}
     * and refuses tasks until they are filled; devices is a policy for the
     * spawner, not a resource limit.
     */
    public static final Set<String> MANAGED = Set.of("memory", "pids", "cpu", "cpuacct", "freezer", "blkio");

    private final Layout layout;
    private final List<V1Hierarchy> hierarchies;
    private final String parent;
    private final CgroupFs fs;

    /** @param hierarchies the mounted hierarchies carrying at least one {@link #MANAGED} controller */
    public V1Manager(Layout layout, List<V1Hierarchy> hierarchies, String parent, CgroupFs fs) {
        this.layout = Objects.requireNonNull(layout);
        this.hierarchies = List.copyOf(hierarchies);
        this.parent = CgroupPaths.checkParent(parent);
        this.fs = Objects.requireNonNull(fs);
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Set<String> controllers() {
        Set<String> s = new TreeSet<>();
        hierarchies.forEach(h -> s.addAll(h.controllers()));
        s.retainAll(MANAGED);
        return s;
    }

    @Override
    public String parent() {
        return parent;
    }

    @Override
    public CgroupManager withParent(String parent) {
        return new V1Manager(layout, hierarchies, parent, fs);
    }

    @Override
    public Cgroup create(String name, CgroupLimits limits, LimitMode mode) throws CgroupException {
        CgroupPaths.checkName(name);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(mode, "mode");
        List<Path> created = new ArrayList<>();
        try {
            Map<String, Path> dirs = new LinkedHashMap<>();
            for (V1Hierarchy h : hierarchies) {
                Path parentDir = CgroupPaths.parentDir(h.mountPoint(), h.ownPath(), parent);
                CgroupPaths.ensureDirs(fs, h.mountPoint(), parentDir, d -> { });
                Path dir = parentDir.resolve(name);
                fs.mkdir(dir);
                created.add(dir);
                managedOf(h).forEach(c -> dirs.put(c, dir));
            }
            V1Cgroup cgroup = new V1Cgroup(name, dirs, fs);
            cgroup.apply(limits, mode);
            return cgroup;
        } catch (CgroupException | RuntimeException e) {
            CgroupPaths.rollback(fs, created, e);
            throw e;
        }
    }

    @Override
    public Cgroup open(String name) throws CgroupException {
        CgroupPaths.checkName(name);
        Map<String, Path> dirs = new LinkedHashMap<>();
        List<Path> looked = new ArrayList<>();
        for (V1Hierarchy h : hierarchies) {
            Path dir = CgroupPaths.parentDir(h.mountPoint(), h.ownPath(), parent).resolve(name);
            looked.add(dir);
            if (fs.exists(dir)) {
                managedOf(h).forEach(c -> dirs.put(c, dir));
            }
        }
        if (dirs.isEmpty()) {
            throw new CgroupException("open cgroup " + name + ": none of " + looked + " exists");
        }
        return new V1Cgroup(name, dirs, fs);
    }

    @Override
    public Cgroup openRecorded(String name, List<Path> directories) throws CgroupException {
        CgroupPaths.checkName(name);
        Map<String, Path> dirs = new LinkedHashMap<>();
        Set<Path> hierarchiesSeen = new java.util.HashSet<>();
        for (Path d : directories) {
            Path dir = d.normalize();
            V1Hierarchy h = hierarchies.stream()
                    .filter(x -> dir.startsWith(x.mountPoint()) && !dir.equals(x.mountPoint()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("recorded cgroup " + d + " is in no cgroup v1"
                            + " hierarchy mounted here"));
            if (!dir.equals(d) || !dir.getFileName().toString().equals(name)) {
                throw new IllegalArgumentException("recorded cgroup " + d + " is not a cgroup named " + name);
            }
            if (!hierarchiesSeen.add(h.mountPoint())) {
                throw new IllegalArgumentException("recorded cgroups " + directories + " name two in " + h.mountPoint());
            }
            if (fs.exists(dir)) {
                managedOf(h).forEach(c -> dirs.put(c, dir));
            }
        }
        if (dirs.isEmpty()) {
            throw new CgroupException("open cgroup " + name + ": none of " + directories + " exists");
        }
        return new V1Cgroup(name, dirs, fs);
    }

    private static Set<String> managedOf(V1Hierarchy h) {
        Set<String> s = new TreeSet<>(h.controllers());
        s.retainAll(MANAGED);
        return s;
    }

    @Override
    public String toString() {
        return "V1Manager{" + layout + ", parent=" + parent + ", " + hierarchies + "}";
    }
}
