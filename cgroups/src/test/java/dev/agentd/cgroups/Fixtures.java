package dev.agentd.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Temp-dir copies of the three layouts: the mountinfo and /proc/self/cgroup a
 * process would see, and the cgroup directories with the interface files a
 * real kernel shows (the root directories also carry the per-cgroup files, so
 * {@link FakeKernel} can copy them into new v1 children).
 */
final class Fixtures {
    private Fixtures() {}

    /** This project's build machine: v1 controllers, cgroup2 at /sys/fs/cgroup/unified with hugetlb only. */
    static final String HYBRID_MOUNTINFO = String.join("\n",
            "22 1 254:1 / / rw,relatime - ext4 /dev/vda rw",
            "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
            "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
            "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct",
            "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
            "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices",
            "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer",
            "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio",
            "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
            "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "");

    static final String HYBRID_SELF = String.join("\n",
            "9:name=systemd:/",
            "8:pids:/",
            "7:blkio:/",
            "6:freezer:/",
            "5:devices:/",
            "4:memory:/process_api/abc",
            "3:cpuset:/",
            "2:cpuacct:/",
            "1:cpu:/",
            "0::/",
            "");

    /** systemd's classic v1 layout: cpu and cpuacct co-mounted, no cgroup2 mount, running as a service. */
    static final String LEGACY_MOUNTINFO = String.join("\n",
            "25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755",
            "26 25 0:23 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd",
            "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,cpu,cpuacct",
            "30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,memory",
            "32 25 0:29 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,freezer",
            "");

    static final String LEGACY_SELF = String.join("\n",
            "6:memory:/system.slice/agentd.service",
            "4:cpu,cpuacct:/system.slice/agentd.service",
            "3:freezer:/",
            "1:name=systemd:/system.slice/agentd.service",
            "");

    static final String UNIFIED_MOUNTINFO = String.join("\n",
            "22 1 254:1 / / rw,relatime - ext4 /dev/vda rw",
            "24 22 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot",
            "");

    static final String UNIFIED_OFFERED = "cpuset cpu io memory hugetlb pids rdma misc";

    /** The files of a v1 cgroup directory per controller (values as a fresh cgroup shows them). */
    static final Map<String, Map<String, String>> V1_FILES = Map.of(
            "memory", Map.of(
                    "memory.limit_in_bytes", "9223372036854771712",
                    "memory.memsw.limit_in_bytes", "9223372036854771712",
                    "memory.usage_in_bytes", "0",
                    "memory.max_usage_in_bytes", "0",
                    "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"),
            "pids", Map.of("pids.max", "max", "pids.current", "0"),
            "cpu", Map.of("cpu.cfs_period_us", "100000", "cpu.cfs_quota_us", "-1", "cpu.shares", "1024",
                    "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n"),
            "cpuacct", Map.of("cpuacct.usage", "0"),
            "freezer", Map.of("freezer.state", "THAWED"),
            "blkio", Map.of("blkio.bfq.weight", "100"),
            "cpuset", Map.of("cpuset.cpus", "", "cpuset.mems", ""),
            "devices", Map.of("devices.list", "a *:* rwm"));

    /** A hybrid fixture; returns the fake kernel over it. */
    static FakeKernel hybrid(Path root) {
        write(root.resolve("proc/self/mountinfo"), HYBRID_MOUNTINFO);
        write(root.resolve("proc/self/cgroup"), HYBRID_SELF);
        for (String c : new String[] {"cpu", "cpuacct", "cpuset", "devices", "freezer", "blkio", "pids"}) {
            v1Dir(root.resolve("sys/fs/cgroup/" + c), c);
        }
        v1Dir(root.resolve("sys/fs/cgroup/memory/process_api/abc"), "memory");
        mkdirs(root.resolve("sys/fs/cgroup/systemd"));
        v2Root(root.resolve("sys/fs/cgroup/unified"), "hugetlb");
        FakeKernel k = new FakeKernel(root);
        k.v2Mounts.add(root.resolve("sys/fs/cgroup/unified"));
        return k;
    }

    /** A legacy fixture with cpu,cpuacct co-mounted and no pids or blkio hierarchy. */
    static FakeKernel legacy(Path root) {
        write(root.resolve("proc/self/mountinfo"), LEGACY_MOUNTINFO);
        write(root.resolve("proc/self/cgroup"), LEGACY_SELF);
        Path cpu = root.resolve("sys/fs/cgroup/cpu,cpuacct/system.slice/agentd.service");
        v1Dir(cpu, "cpu");
        v1Dir(cpu, "cpuacct");
        v1Dir(root.resolve("sys/fs/cgroup/memory/system.slice/agentd.service"), "memory");
        v1Dir(root.resolve("sys/fs/cgroup/freezer"), "freezer");
        mkdirs(root.resolve("sys/fs/cgroup/systemd"));
        return new FakeKernel(root);
    }

    /** A unified fixture where this process sits at {@code ownPath} (e.g. {@code /}). */
    static FakeKernel unified(Path root, String ownPath) {
        write(root.resolve("proc/self/mountinfo"), UNIFIED_MOUNTINFO);
        write(root.resolve("proc/self/cgroup"), "0::" + ownPath + "\n");
        Path mount = root.resolve("sys/fs/cgroup");
        v2Root(mount, UNIFIED_OFFERED);
        FakeKernel k = new FakeKernel(root);
        k.v2Mounts.add(mount);
        // Ancestors of the own cgroup enable everything for their children (as
        // systemd does); the own cgroup holds this process and enables nothing.
        Path dir = mount;
        for (String part : ownPath.split("/")) {
            if (!part.isEmpty()) {
                write(dir.resolve("cgroup.subtree_control"), "cpu io memory pids");
                dir = dir.resolve(part);
                Path level = dir;
                mkdirs(level);
                for (Map<String, String> files : FakeKernel.V2_FILES.values()) {
                    files.forEach((f, v) -> write(level.resolve(f), v));
                }
                write(level.resolve("cgroup.procs"), "1\n");
            }
        }
        return k;
    }

    static CgroupManager detect(FakeKernel k) throws CgroupException {
        return Cgroups.detect(k.root.resolve("proc/self/mountinfo"), k.root.resolve("proc/self/cgroup"), k.root, k);
    }

    private static void v1Dir(Path dir, String controller) {
        mkdirs(dir);
        write(dir.resolve("cgroup.procs"), "");
        write(dir.resolve("tasks"), "");
        V1_FILES.get(controller).forEach((f, v) -> write(dir.resolve(f), v));
    }

    private static void v2Root(Path dir, String offered) {
        mkdirs(dir);
        write(dir.resolve("cgroup.controllers"), offered);
        write(dir.resolve("cgroup.subtree_control"), "");
        write(dir.resolve("cgroup.procs"), "1\n");
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a fixture directory and everything below it, as a cgroup's owner removing it would. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
