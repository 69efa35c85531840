package dev.agentd.daemon;

import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.cgroups.Layout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Where agents' cgroups go when agentd runs as a systemd service with
 * {@code Delegate=yes} on cgroup v2 (systemd/agentd.service sets
 * {@value #LEAF_ENV}).
 *
 * <p>cgroup v2's "no internal processes" rule: a cgroup may enable controllers
 * for its children only while it holds no process itself. The service's cgroup
 * {@code …/agentd.service} is delegated to agentd, so agentd's own process lives
 * in a leaf below it ({@code …/agentd.service/supervisor}) and agents below
 * {@code …/agentd.service/<cgroup_parent>} — siblings of the leaf, not children
 * of it. systemd ≥ 254 starts agentd in the leaf already
 * ({@code DelegateSubgroup=supervisor}); older systemd starts it in the service's
 * cgroup, and agentd moves itself into the leaf first.
 *
 * <p>The relative {@code cgroup_parent} is then resolved against the
 * service's cgroup instead of agentd's own, which is the same after every
 * restart: a restarted agentd finds the agents it re-adopts where the previous
 * one put them. Without {@value #LEAF_ENV}, on cgroup v1 or hybrid (no such
 * rule), or with an absolute {@code cgroup_parent}, nothing changes.
 */
final class ServiceCgroup {
    /** The environment variable naming agentd's leaf cgroup inside its delegated service cgroup. */
    static final String LEAF_ENV = "AGENTD_CGROUP_LEAF";

    private ServiceCgroup() {}

    /** The cgroup manager agentd uses for agents, given its configured {@code cgroup_parent}. */
    static CgroupManager manager(String cgroupParent, Map<String, String> env) throws IOException {
        CgroupManager detected = Cgroups.detect();
        String leaf = env.get(LEAF_ENV);
        if (leaf == null || leaf.isEmpty() || detected.layout() != Layout.UNIFIED || cgroupParent.startsWith("/")) {
            return detected.withParent(cgroupParent);
        }
        return detected.withParent(place(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"), Path.of("/"),
                leaf, cgroupParent, ProcessHandle.current().pid()));
    }

    /**
     * Puts process {@code pid} into {@code leaf} below its service cgroup
     * unless it is there already, and returns {@code cgroupParent} as an
     * absolute parent below the service cgroup (relative to the cgroup2 mount).
     *
     * @param procSelfCgroup the process's {@code /proc/<pid>/cgroup}
     * @param mountinfo      the process's {@code /proc/<pid>/mountinfo}
     * @param root           what mount points are relative to ({@code /} on a live system; a fixture in tests)
     */
    static String place(Path procSelfCgroup, Path mountinfo, Path root, String leaf, String cgroupParent, long pid)
            throws IOException {
        if (leaf.contains("/") || leaf.equals(".") || leaf.equals("..")) {
            throw new IOException(LEAF_ENV + "=" + leaf + ": expected one cgroup directory name");
        }
        String own = null;
        for (String line : Files.readAllLines(procSelfCgroup, StandardCharsets.UTF_8)) {
            if (line.startsWith("0::")) {
                own = line.substring(3);
            }
        }
        if (own == null) {
            throw new IOException(procSelfCgroup + " has no cgroup v2 (0::) line");
        }
        String[] mount = cgroup2Mount(mountinfo);
        String mountRoot = mount[0];
        Path mountPoint = root.resolve(mount[1].substring(1));
        String rel;
        if (mountRoot.equals("/")) {
            rel = own;
        } else if (own.equals(mountRoot)) {
            rel = "/";
        } else if (own.startsWith(mountRoot + "/")) {
            rel = own.substring(mountRoot.length());
        } else {
            throw new IOException("agentd's cgroup " + own + " is not below the cgroup2 mount's root " + mountRoot);
        }
        String service;
        int slash = rel.lastIndexOf('/');
        if (rel.substring(slash + 1).equals(leaf)) {
            service = rel.substring(0, slash); // systemd put us there (DelegateSubgroup=)
        } else {
            service = rel.equals("/") ? "" : rel;
            Path leafDir = mountPoint.resolve((service + "/" + leaf).substring(1));
            try {
                if (!Files.isDirectory(leafDir)) {
                    Files.createDirectory(leafDir);
                }
                // v2 moves the whole process, every thread, at once.
                Files.writeString(leafDir.resolve("cgroup.procs"), Long.toString(pid));
            } catch (IOException e) {
                throw new IOException("cannot move agentd into its leaf cgroup " + leafDir + " (" + LEAF_ENV + "=" + leaf
                        + "; needs Delegate=yes in agentd.service): " + e.getMessage(), e);
            }
        }
        return service + "/" + cgroupParent;
    }

    /** The root and mount point of the first cgroup2 mount in {@code mountinfo}. */
    private static String[] cgroup2Mount(Path mountinfo) throws IOException {
        for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
            int dash = line.indexOf(" - ");
            if (dash < 0) {
                continue;
            }
            List<String> left = List.of(line.substring(0, dash).split(" "));
            String[] right = line.substring(dash + 3).split(" ");
            if (right.length > 0 && right[0].equals("cgroup2") && left.size() >= 5) {
                return new String[] {unescape(left.get(3)), unescape(left.get(4))};
            }
        }
        throw new IOException(mountinfo + " has no cgroup2 mount");
    }

    /** mountinfo escapes space, tab, newline and backslash as three octal digits. */
    private static String unescape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).chars().allMatch(d -> d >= '0' && d <= '7')) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
