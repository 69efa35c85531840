package dev.agentd.cgroups.v2;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.cgroups.Layout;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.CgroupPaths;
import dev.agentd.cgroups.internal.Values;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The cgroup v2 driver, after runc's {@code cgroups/fs2}. Not for direct use:
 * {@link Cgroups#detect()} builds it.
 */
public final class V2Manager implements CgroupManager {

    /** The v2 controllers this driver enables and uses, in the order they are enabled. */
    public static final List<String> MANAGED = List.of("cpu", "io", "memory", "pids");

    private final Path mountPoint;
    private final String ownPath;
    private final String parent;
    private final CgroupFs fs;

    /**
     * @param mountPoint where the cgroup2 filesystem is mounted
     * @param ownPath this process's cgroup relative to the mount ({@code 0::} line of /proc/self/cgroup)
     */
    public V2Manager(Path mountPoint, String ownPath, String parent, CgroupFs fs) {
        this.mountPoint = Objects.requireNonNull(mountPoint);
        this.ownPath = Objects.requireNonNull(ownPath);
        this.parent = CgroupPaths.checkParent(parent);
        this.fs = Objects.requireNonNull(fs);
    }

    @Override
    public Layout layout() {
        return Layout.UNIFIED;
    }

    /** The managed controllers the hierarchy's root offers. */
    @Override
    public Set<String> controllers() {
        Set<String> s = new TreeSet<>();
        try {
            s.addAll(Values.words(fs.read(mountPoint.resolve("cgroup.controllers"))));
        } catch (CgroupException e) {
            return Set.of();
        }
        s.retainAll(MANAGED);
        return s;
    }

    @Override
    public String parent() {
        return parent;
    }

    @Override
    public CgroupManager withParent(String parent) {
        return new V2Manager(mountPoint, ownPath, parent, fs);
    }

    @Override
    public Cgroup create(String name, CgroupLimits limits, LimitMode mode) throws CgroupException {
        CgroupPaths.checkName(name);
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(mode, "mode");
        Path parentDir = CgroupPaths.parentDir(mountPoint, ownPath, parent);
        Map<String, String> notEnabled = new TreeMap<>();
        // A controller reaches a cgroup only if every ancestor enabled it in
        // cgroup.subtree_control, so enable level by level on the way down.
        CgroupPaths.ensureDirs(fs, mountPoint, parentDir, level -> enableControllers(level, notEnabled));
        Path dir = parentDir.resolve(name);
        fs.mkdir(dir);
        try {
            V2Cgroup cgroup = new V2Cgroup(name, dir, fs, notEnabled);
            cgroup.apply(limits, mode);
            return cgroup;
        } catch (CgroupException | RuntimeException e) {
            CgroupPaths.rollback(fs, List.of(dir), e);
            throw e;
        }
    }

    /**
     * Enables each managed controller the level offers but has not enabled.
     * One write per controller: a multi-controller write fails as a whole, and
     * one refusal should not cost the others. A refusal is remembered, not
     * thrown: it turns into "unsupported" for the limits that need it, and the
     * caller's {@link LimitMode} decides.
     */
    private void enableControllers(Path level, Map<String, String> notEnabled) throws CgroupException {
        Path offeredFile = level.resolve("cgroup.controllers");
        Path subtree = level.resolve("cgroup.subtree_control");
        Set<String> offered = Values.words(fs.read(offeredFile));
        Set<String> enabled = new LinkedHashSet<>(Values.words(fs.read(subtree)));
        for (String c : MANAGED) {
            if (notEnabled.containsKey(c) || enabled.contains(c)) {
                continue;
            }
            if (!offered.contains(c)) {
                notEnabled.put(c, "controller " + c + " is not available: " + offeredFile + " does not list it");
                continue;
            }
            try {
                fs.write(subtree, "+" + c);
            } catch (CgroupException e) {
                notEnabled.put(c, e.getMessage() + "; cgroup v2 lets only the root, or a cgroup without processes,"
                        + " enable controllers for its children: move this process into a leaf cgroup"
                        + " or choose a parent outside its cgroup");
            }
        }
    }

    @Override
    public Cgroup open(String name) throws CgroupException {
        CgroupPaths.checkName(name);
        Path dir = CgroupPaths.parentDir(mountPoint, ownPath, parent).resolve(name);
        if (!fs.exists(dir)) {
            throw new CgroupException("open cgroup " + name + ": " + dir + " does not exist", dir, null, null);
        }
        return new V2Cgroup(name, dir, fs, Map.of());
    }

    @Override
    public Cgroup openRecorded(String name, java.util.List<Path> directories) throws CgroupException {
        CgroupPaths.checkName(name);
        if (directories.size() != 1) {
            throw new IllegalArgumentException("recorded cgroups " + directories + ": cgroup v2 has one directory");
        }
        Path d = directories.get(0);
        Path dir = d.normalize();
        if (!dir.equals(d) || !dir.startsWith(mountPoint) || dir.equals(mountPoint)
                || !dir.getFileName().toString().equals(name)) {
            throw new IllegalArgumentException("recorded cgroup " + d + " is not a cgroup named " + name + " below "
                    + mountPoint);
        }
        if (!fs.exists(dir)) {
            throw new CgroupException("open cgroup " + name + ": " + dir + " does not exist", dir, null, null);
        }
        return new V2Cgroup(name, dir, fs, Map.of());
    }

    @Override
    public String toString() {
        return "V2Manager{" + mountPoint + ", own=" + ownPath + ", parent=" + parent + "}";
    }
}
