package dev.agentd.cgroups.v1;

import java.nio.file.Path;
import java.util.Set;

/**
 * One mounted cgroup v1 hierarchy as seen by this process.
 *
 * @param mountPoint where it is mounted, e.g. {@code /sys/fs/cgroup/memory}
 * @param ownPath this process's cgroup in it, relative to the mount, e.g. {@code /process_api/f8e3}
 * @param controllers the controllers attached to it (several when co-mounted, e.g. {@code cpu,cpuacct})
 */
public record V1Hierarchy(Path mountPoint, String ownPath, Set<String> controllers) {
    public V1Hierarchy {
        controllers = Set.copyOf(controllers);
    }
}
