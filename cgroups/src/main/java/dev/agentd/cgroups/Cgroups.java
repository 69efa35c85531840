package dev.agentd.cgroups;

import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.CgroupPaths;
import dev.agentd.cgroups.internal.Mountinfo;
import dev.agentd.cgroups.internal.Mountinfo.Mount;
import dev.agentd.cgroups.internal.ProcSelfCgroup;
import dev.agentd.cgroups.internal.ProcSelfCgroup.Entry;
import dev.agentd.cgroups.v1.V1Hierarchy;
import dev.agentd.cgroups.v1.V1Manager;
import dev.agentd.cgroups.v2.V2Manager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that decides which cgroup version to drive. It reads the mount
 * table and this process's memberships once and returns a {@link CgroupManager}
 * for the detected {@link Layout}; nothing after this asks "is this v2?".
 *
 * <p>The rule: if any controller this library uses sits on a cgroup v1
 * hierarchy, drive v1 ({@link Layout#LEGACY}, or {@link Layout#HYBRID} when a
 * cgroup2 mount exists too, as systemd's hybrid mode and this project's build
 * machines have). Otherwise, with a cgroup2 mount, drive v2 ({@link Layout#UNIFIED}).
 * Controllers split between versions (some on v1, some on v2) are driven
 * through v1 only; the v2 ones are then reported unsupported.
 */
public final class Cgroups {
    private Cgroups() {}

    /**
     * Detects the layout from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup}.
     *
     * @throws CgroupException when the files cannot be read, or no usable cgroup hierarchy is mounted
     */
    public static CgroupManager detect() throws CgroupException {
        return detect(Path.of("/proc/self/mountinfo"), Path.of("/proc/self/cgroup"), Path.of("/"));
    }

    /**
     * Detects from the given files, for tests and tools working on a copy of a
     * system: mount points in {@code mountinfo} are resolved against {@code root}
     * ({@code /sys/fs/cgroup/memory} becomes {@code root/sys/fs/cgroup/memory}).
     *
     * @param mountinfo a {@code /proc/<pid>/mountinfo}
     * @param procSelfCgroup a {@code /proc/<pid>/cgroup} of the same process
     * @param root the filesystem root mount points are relative to; {@code /} on a live system
     */
    public static CgroupManager detect(Path mountinfo, Path procSelfCgroup, Path root) throws CgroupException {
        return detect(mountinfo, procSelfCgroup, root, new CgroupFs());
    }

    /** As {@link #detect(Path, Path, Path)}, with a file layer tests can replace. */
    static CgroupManager detect(Path mountinfo, Path procSelfCgroup, Path root, CgroupFs fs) throws CgroupException {
        List<Mount> mounts;
        List<Entry> entries;
        try {
            mounts = Mountinfo.parse(fs.read(mountinfo), root);
            entries = ProcSelfCgroup.parse(fs.read(procSelfCgroup));
        } catch (IllegalArgumentException e) {
            throw new CgroupException("cannot detect cgroups: " + e.getMessage(), e);
        }
        Optional<Mount> unified = mounts.stream().filter(m -> m.fsType().equals("cgroup2")).findFirst();

        List<V1Hierarchy> v1 = v1Hierarchies(mounts, entries);
        if (!v1.isEmpty()) {
            Layout layout = unified.isPresent() ? Layout.HYBRID : Layout.LEGACY;
            return new V1Manager(layout, v1, CgroupManager.DEFAULT_PARENT, fs);
        }
        Optional<Entry> own = entries.stream().filter(Entry::isUnified).findFirst();
        if (unified.isPresent() && own.isPresent()) {
            String ownPath = CgroupPaths.relativeTo(unified.get().root(), own.get().path());
            if (ownPath != null) {
                return new V2Manager(unified.get().mountPoint(), ownPath, CgroupManager.DEFAULT_PARENT, fs);
            }
        }
        throw new CgroupException("no usable cgroup hierarchy: " + mountinfo + " has no cgroup v1 mount of "
                + V1Manager.MANAGED + " and no cgroup2 mount containing this process's cgroup (" + procSelfCgroup + ")");
    }

    /**
     * Matches each v1 line of /proc/self/cgroup ({@code 4:cpu,cpuacct:/a}) with
     * the mount whose super options name the same controllers. First mount wins,
     * as in runc; a mount that does not contain our cgroup (a bind mount of
     * another subtree) is skipped.
     */
    private static List<V1Hierarchy> v1Hierarchies(List<Mount> mounts, List<Entry> entries) {
        List<V1Hierarchy> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.isUnified()) {
                continue;
            }
            Set<String> controllers = new HashSet<>(e.controllers());
            Set<String> managed = new HashSet<>(controllers);
            managed.retainAll(V1Manager.MANAGED);
            if (managed.isEmpty()) {
                continue; // e.g. name=systemd, cpuset, devices
            }
            for (Mount m : mounts) {
                if (m.fsType().equals("cgroup") && m.superOptions().containsAll(controllers)) {
                    String ownPath = CgroupPaths.relativeTo(m.root(), e.path());
                    if (ownPath != null) {
                        out.add(new V1Hierarchy(m.mountPoint(), ownPath, controllers));
                        break;
                    }
                }
            }
        }
        return out;
    }
}
