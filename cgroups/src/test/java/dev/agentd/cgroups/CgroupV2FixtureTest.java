package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v2 driver against temp-dir fixtures: the exact files and values written, in order. */
class CgroupV2FixtureTest {
    @TempDir
    Path root;

    static final String A1 = "sys/fs/cgroup/agentd/a1/";

    static final CgroupLimits ALL = CgroupLimits.builder()
            .memoryMax("512M").memoryHigh("400M").swapMax("0").cpus("1.5").cpuWeight(200).pidsMax("64").ioWeight(300)
            .build();

    private Path p(String rel) {
        return root.resolve(rel);
    }

    @Test
    void create_atRoot_enablesControllersLevelByLevelThenWritesLimits() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        CgroupManager m = Fixtures.detect(k);
        assertEquals(Layout.UNIFIED, m.layout());
        assertEquals(Set.of("cpu", "io", "memory", "pids"), m.controllers());

        Cgroup cg = m.create("a1", ALL, LimitMode.STRICT);

        assertEquals(List.of(
                "write sys/fs/cgroup/cgroup.subtree_control +cpu",
                "write sys/fs/cgroup/cgroup.subtree_control +io",
                "write sys/fs/cgroup/cgroup.subtree_control +memory",
                "write sys/fs/cgroup/cgroup.subtree_control +pids",
                "mkdir sys/fs/cgroup/agentd",
                "write sys/fs/cgroup/agentd/cgroup.subtree_control +cpu",
                "write sys/fs/cgroup/agentd/cgroup.subtree_control +io",
                "write sys/fs/cgroup/agentd/cgroup.subtree_control +memory",
                "write sys/fs/cgroup/agentd/cgroup.subtree_control +pids",
                "mkdir sys/fs/cgroup/agentd/a1",
                "write " + A1 + "memory.max 536870912",
                "write " + A1 + "memory.swap.max 0",
                "write " + A1 + "memory.high 419430400",
                "write " + A1 + "pids.max 64",
                "write " + A1 + "cpu.max 150000 100000",
                "write " + A1 + "cpu.weight 200",
                "write " + A1 + "io.weight default 300"), k.log);
        assertEquals(List.of(p("sys/fs/cgroup/agentd/a1")), cg.directories());
        assertTrue(cg.limitReport().complete());
        assertEquals("150000 100000", k.contents(p(A1 + "cpu.max")));
    }

    @Test
    void create_twice_enablesOnlyOnce() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        CgroupManager m = Fixtures.detect(k);
        m.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        k.log.clear();

        m.create("a2", CgroupLimits.builder().memoryMax("max").cpus("max").build(), LimitMode.STRICT);

        assertEquals(List.of(
                "mkdir sys/fs/cgroup/agentd/a2",
                "write sys/fs/cgroup/agentd/a2/memory.max max",
                "write sys/fs/cgroup/agentd/a2/cpu.max max 100000"), k.log);
    }

    @Test
    void create_ownCgroupHoldsProcesses_strictFailsWithHint() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/system.slice/agentd.service");
        Path own = p("sys/fs/cgroup/system.slice/agentd.service/cgroup.subtree_control");
        // The kernel's "no internal processes" rule.
        k.failWrites.put(own, "Device or resource busy");
        CgroupManager m = Fixtures.detect(k);

        UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class,
                () -> m.create("a1", CgroupLimits.builder().memoryMax("1G").build(), LimitMode.STRICT));

        String reason = e.report().unsupported().get(Limit.MEMORY_MAX);
        assertTrue(reason.startsWith("write " + own + ": Device or resource busy (value \"+memory\")"), reason);
        assertTrue(reason.contains("move this process into a leaf cgroup"), reason);
        assertFalse(Files.exists(p("sys/fs/cgroup/system.slice/agentd.service/agentd/a1")));
    }

    @Test
    void create_parentOutsideOwnCgroup_works() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/system.slice/agentd.service");
        k.failWrites.put(p("sys/fs/cgroup/system.slice/agentd.service/cgroup.subtree_control"), "Device or resource busy");
        CgroupManager m = Fixtures.detect(k).withParent("/system.slice/agentd-agents");

        Cgroup cg = m.create("a1", CgroupLimits.builder().pidsMax(5).build(), LimitMode.STRICT);

        assertEquals("5", k.contents(p("sys/fs/cgroup/system.slice/agentd-agents/a1/pids.max")));
        assertTrue(cg.limitReport().complete());
    }

    @Test
    void create_controllerNotOffered_reportedWithReason() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Fixtures.write(p("sys/fs/cgroup/cgroup.controllers"), "cpu memory pids");
        CgroupManager m = Fixtures.detect(k);

        Cgroup cg = m.create("a1", CgroupLimits.builder().ioWeight(100).pidsMax(3).build(), LimitMode.BEST_EFFORT);

        assertEquals(Set.of(Limit.PIDS_MAX), cg.limitReport().applied());
        assertEquals("controller io is not available: " + p("sys/fs/cgroup/cgroup.controllers") + " does not list it",
                cg.limitReport().unsupported().get(Limit.IO_WEIGHT));
    }

    @Test
    void create_noSwapAccounting_swapUnsupported() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        k.v2Without.add("memory.swap.max");
        CgroupManager m = Fixtures.detect(k);

        UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class, () -> m.create("a1",
                CgroupLimits.builder().memoryMax("1G").swapMax("0").build(), LimitMode.STRICT));

        assertEquals(Set.of(Limit.SWAP_MAX), e.report().unsupported().keySet());
        assertEquals(List.of("rmdir sys/fs/cgroup/agentd/a1"), k.log("rmdir"));
    }

    @Test
    void create_writeRefused_rollsBack() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Path cpuMax = p(A1 + "cpu.max");
        k.failWrites.put(cpuMax, "Invalid argument");
        CgroupManager m = Fixtures.detect(k);

        CgroupException e = assertThrows(CgroupException.class, () -> m.create("a1",
                CgroupLimits.builder().cpuMax(new CpuQuota(500, 100_000)).build(), LimitMode.STRICT));

        assertEquals("write " + cpuMax + ": Invalid argument (value \"500 100000\")", e.getMessage());
        assertFalse(Files.exists(p(A1)));
        assertTrue(Files.exists(p("sys/fs/cgroup/agentd")));
    }

    @Test
    void stats_readsV2Counters() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);
        Fixtures.write(p(A1 + "memory.current"), "1048576\n");
        Fixtures.write(p(A1 + "memory.peak"), "2097152\n");
        Fixtures.write(p(A1 + "memory.events"), "low 0\nhigh 2\nmax 5\noom 1\noom_kill 1\noom_group_kill 0\n");
        Fixtures.write(p(A1 + "pids.current"), "3\n");
        Fixtures.write(p(A1 + "cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 9\nnr_throttled 2\n");

        assertEquals(new CgroupStats(OptionalLong.of(1048576), OptionalLong.of(2097152), OptionalLong.of(1_500_000),
                OptionalLong.of(2), OptionalLong.of(3), OptionalLong.of(1)), cg.stats());
    }

    @Test
    void stats_olderKernelWithoutPeak_isEmpty() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        k.v2Without.add("memory.peak");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);

        assertEquals(OptionalLong.empty(), cg.stats().memoryPeakBytes());
        assertEquals(OptionalLong.of(0), cg.stats().memoryCurrentBytes());
    }

    @Test
    void freeze_waitsForFrozenEvent_thenThaw() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);
        k.log.clear();

        cg.freeze(Duration.ofSeconds(1));
        assertTrue(k.contents(p(A1 + "cgroup.events")).contains("frozen 1"));
        cg.thaw();

        assertEquals(List.of("write " + A1 + "cgroup.freeze 1", "write " + A1 + "cgroup.freeze 0"), k.log("write"));
    }

    @Test
    void freeze_neverFrozen_timesOutAndThaws() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        k.freezeNeverCompletes = true;
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);
        k.log.clear();

        CgroupException e = assertThrows(CgroupException.class, () -> cg.freeze(Duration.ofMillis(50)));

        assertTrue(e.getMessage().contains("does not say frozen 1"), e.getMessage());
        assertEquals(List.of("write " + A1 + "cgroup.freeze 1", "write " + A1 + "cgroup.freeze 0"), k.log("write"));
    }

    @Test
    void joinThread_unsupportedOnV2() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);

        assertFalse(cg.canJoinThread());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> cg.joinThread(77));
        assertTrue(e.getMessage().contains("cgroup v2 places whole processes"), e.getMessage());
    }

    @Test
    void addProcess_writesCgroupProcs_removeRefusesThenWorks() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);

        cg.addProcess(4242);
        assertEquals(List.of(4242L), cg.pids());
        assertThrows(CgroupException.class, cg::remove);

        Fixtures.write(p(A1 + "cgroup.procs"), "");
        cg.remove();
        assertFalse(Files.exists(p(A1)));
    }

    @Test
    void killAll_notPopulated_writesNothing() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);
        k.log.clear();

        cg.killAll(Duration.ofSeconds(1));

        assertEquals(List.of(), k.log("write"));
    }

    @Test
    void killAll_ofACgroupRemovedWhileItWaits_returns() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        Cgroup cg = Fixtures.detect(k).create("a1", CgroupLimits.none(), LimitMode.STRICT);
        Fixtures.write(p(A1 + "cgroup.procs"), "4242\n");
        Fixtures.write(p(A1 + "cgroup.events"), "populated 1\nfrozen 0\n");
        k.killRemovesCgroup = true; // cgroup.events is gone when killAll looks again
        k.log.clear();

        cg.killAll(Duration.ofSeconds(1));

        assertEquals(List.of("write " + A1 + "cgroup.kill 1"), k.log("write"));
        assertFalse(Files.exists(p(A1)));
    }

    @Test
    void openRecorded_findsTheOneDirectory_andRefusesOthers() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        CgroupManager m = Fixtures.detect(k);
        Cgroup created = m.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        List<Path> recorded = created.directories();

        assertEquals(recorded, m.openRecorded("a1", recorded).directories());
        assertThrows(IllegalArgumentException.class, () -> m.openRecorded("a2", recorded));
        assertThrows(IllegalArgumentException.class, () -> m.openRecorded("a1", List.of(root.resolve("etc/a1"))));
        assertThrows(IllegalArgumentException.class, () -> m.openRecorded("a1", List.of(recorded.get(0), recorded.get(0))));
        assertThrows(CgroupException.class, () -> m.openRecorded("a1",
                List.of(recorded.get(0).resolveSibling("gone").resolve("a1"))));
    }

    @Test
    void open_missing_fails() throws Exception {
        FakeKernel k = Fixtures.unified(root, "/");
        CgroupManager m = Fixtures.detect(k);

        CgroupException e = assertThrows(CgroupException.class, () -> m.open("a1"));
        assertTrue(e.getMessage().contains("does not exist"));
    }
}
