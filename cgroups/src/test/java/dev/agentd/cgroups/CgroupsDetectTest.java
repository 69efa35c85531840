package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The single detection point, fed fixture mountinfo files of each layout. */
class CgroupsDetectTest {
    @TempDir
    Path root;

    private CgroupManager detect(String mountinfo, String self) throws CgroupException {
        Fixtures.write(root.resolve("mountinfo"), mountinfo);
        Fixtures.write(root.resolve("cgroup"), self);
        return Cgroups.detect(root.resolve("mountinfo"), root.resolve("cgroup"), root);
    }

    @Test
    void detect_hybrid_drivesV1() throws Exception {
        CgroupManager m = detect(Fixtures.HYBRID_MOUNTINFO, Fixtures.HYBRID_SELF);

        assertEquals(Layout.HYBRID, m.layout());
        assertEquals(Set.of("blkio", "cpu", "cpuacct", "freezer", "memory", "pids"), m.controllers());
        assertEquals(CgroupManager.DEFAULT_PARENT, m.parent());
    }

    @Test
    void detect_legacy_drivesV1() throws Exception {
        CgroupManager m = detect(Fixtures.LEGACY_MOUNTINFO, Fixtures.LEGACY_SELF);

        assertEquals(Layout.LEGACY, m.layout());
        assertEquals(Set.of("cpu", "cpuacct", "freezer", "memory"), m.controllers());
    }

    @Test
    void detect_unified_drivesV2() throws Exception {
        Fixtures.write(root.resolve("sys/fs/cgroup/cgroup.controllers"), "cpu memory pids\n");

        CgroupManager m = detect(Fixtures.UNIFIED_MOUNTINFO, "0::/user.slice\n");

        assertEquals(Layout.UNIFIED, m.layout());
        assertEquals(Set.of("cpu", "memory", "pids"), m.controllers());
    }

    @Test
    void detect_v1OnlyNamedHierarchyPlusCgroup2_drivesV2() throws Exception {
        // systemd "hybrid" with every controller on v2: only name=systemd is v1.
        CgroupManager m = detect(String.join("\n",
                "26 25 0:23 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
                "27 25 0:24 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw"),
                "1:name=systemd:/x\n0::/x\n");

        assertEquals(Layout.UNIFIED, m.layout());
    }

    @Test
    void detect_noCgroupMounts_failsNamingTheFile() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> detect("22 1 254:1 / / rw - ext4 /dev/vda rw\n", "0::/\n"));

        assertTrue(e.getMessage().startsWith("no usable cgroup hierarchy: " + root.resolve("mountinfo")), e.getMessage());
    }

    @Test
    void detect_malformedMountinfo_failsWithLine() {
        CgroupException e = assertThrows(CgroupException.class, () -> detect("garbage line\n", "0::/\n"));

        assertTrue(e.getMessage().contains("malformed mountinfo line: garbage line"), e.getMessage());
    }

    @Test
    void detect_bindMountedSubtree_ownPathRelativeToMountRoot() throws Exception {
        // A container without a cgroup namespace: the hierarchy's /docker/abc is mounted at /sys/fs/cgroup/memory.
        Fixtures.write(root.resolve("sys/fs/cgroup/memory/cgroup.procs"), "");
        CgroupManager m = detect(
                "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n",
                "4:memory:/docker/abc\n");
        FakeKernel k = new FakeKernel(root);

        Cgroup cg = Cgroups.detect(root.resolve("mountinfo"), root.resolve("cgroup"), root, k)
                .create("a1", CgroupLimits.none(), LimitMode.STRICT);

        assertEquals(Layout.LEGACY, m.layout());
        assertEquals(List.of(root.resolve("sys/fs/cgroup/memory/agentd/a1")), cg.directories());
    }

    @Test
    void detect_missingMountinfo_failsWithPath() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> Cgroups.detect(root.resolve("nope"), root.resolve("cgroup"), root));

        assertEquals("read " + root.resolve("nope") + ": No such file or directory", e.getMessage());
    }
}
