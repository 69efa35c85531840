package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The v1 driver against temp-dir fixtures: the exact files and values written, in order. */
class CgroupV1FixtureTest {
    @TempDir
    Path root;
    FakeKernel kernel;
    CgroupManager manager;

    static final String MEM = "sys/fs/cgroup/memory/process_api/abc/agentd/a1/";

    static final CgroupLimits ALL_V1 = CgroupLimits.builder()
            .memoryMax("512M").swapMax("0").cpus("0.5").cpuWeight(100).pidsMax("64").ioWeight(100).build();

    @BeforeEach
    void setUp() throws Exception {
        kernel = Fixtures.hybrid(root);
        manager = Fixtures.detect(kernel);
    }

    private Path p(String rel) {
        return root.resolve(rel);
    }

    @Test
    void create_hybrid_makesOneDirectoryPerManagedHierarchy() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        // Order of /proc/self/cgroup; the parent "agentd" below our own cgroup in each.
        assertEquals(List.of(
                "mkdir sys/fs/cgroup/pids/agentd",
                "mkdir sys/fs/cgroup/pids/agentd/a1",
                "mkdir sys/fs/cgroup/blkio/agentd",
                "mkdir sys/fs/cgroup/blkio/agentd/a1",
                "mkdir sys/fs/cgroup/freezer/agentd",
                "mkdir sys/fs/cgroup/freezer/agentd/a1",
                "mkdir sys/fs/cgroup/memory/process_api/abc/agentd",
                "mkdir sys/fs/cgroup/memory/process_api/abc/agentd/a1",
                "mkdir sys/fs/cgroup/cpuacct/agentd",
                "mkdir sys/fs/cgroup/cpuacct/agentd/a1",
                "mkdir sys/fs/cgroup/cpu/agentd",
                "mkdir sys/fs/cgroup/cpu/agentd/a1"), kernel.log);
        assertEquals(6, cg.directories().size());
        // Unmanaged hierarchies are left alone.
        assertFalse(Files.exists(p("sys/fs/cgroup/cpuset/agentd")));
        assertFalse(Files.exists(p("sys/fs/cgroup/devices/agentd")));
        assertFalse(Files.exists(p("sys/fs/cgroup/systemd/agentd")));
        assertTrue(cg.limitReport().complete());
    }

    @Test
    void create_allLimits_writesExactFilesInOrder() throws Exception {
        Cgroup cg = manager.create("a1", ALL_V1, LimitMode.STRICT);

        assertEquals(List.of(
                "write " + MEM + "memory.limit_in_bytes 536870912",
                "write " + MEM + "memory.memsw.limit_in_bytes 536870912",
                "write sys/fs/cgroup/pids/agentd/a1/pids.max 64",
                "write sys/fs/cgroup/cpu/agentd/a1/cpu.cfs_period_us 100000",
                "write sys/fs/cgroup/cpu/agentd/a1/cpu.cfs_quota_us 50000",
                // runc: 2 + ((100 - 1) * 262142) / 9999
                "write sys/fs/cgroup/cpu/agentd/a1/cpu.shares 2597",
                // blkio.weight absent here, so the BFQ file: 10 + (100 - 1) * 990 / 9999
                "write sys/fs/cgroup/blkio/agentd/a1/blkio.bfq.weight 19"), kernel.log("write"));
        assertEquals("536870912", kernel.contents(p(MEM + "memory.limit_in_bytes")));
        assertEquals("64", kernel.contents(p("sys/fs/cgroup/pids/agentd/a1/pids.max")));
        assertEquals(ALL_V1.requested(), cg.limitReport().applied());
        assertTrue(cg.limitReport().complete());
    }

    @Test
    void create_unlimitedValues_writeMinusOneOrMax() throws Exception {
        manager.create("a1", CgroupLimits.builder().memoryMax("max").swapMax("max").cpus("max").pidsMax("max").build(),
                LimitMode.STRICT);

        assertEquals(List.of(
                // "max" memory is above the current memsw value, so memsw goes first.
                "write " + MEM + "memory.memsw.limit_in_bytes -1",
                "write " + MEM + "memory.limit_in_bytes -1",
                "write sys/fs/cgroup/pids/agentd/a1/pids.max max",
                "write sys/fs/cgroup/cpu/agentd/a1/cpu.cfs_period_us 100000",
                "write sys/fs/cgroup/cpu/agentd/a1/cpu.cfs_quota_us -1"), kernel.log("write"));
    }

    @Test
    void apply_raiseMemoryAboveMemsw_writesMemswFirst() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.builder().memoryMax("128M").swapMax("128M").build(), LimitMode.STRICT);
        kernel.log.clear();

        cg.apply(CgroupLimits.builder().memoryMax("1G").swapMax("1G").build(), LimitMode.STRICT);

        assertEquals(List.of(
                "write " + MEM + "memory.memsw.limit_in_bytes 2147483648",
                "write " + MEM + "memory.limit_in_bytes 1073741824"), kernel.log("write"));
    }

    @Test
    void create_memoryHighStrict_throwsAndRemovesEverything() {
        CgroupLimits limits = CgroupLimits.builder().memoryMax("1G").memoryHigh("512M").build();

        UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class,
                () -> manager.create("a1", limits, LimitMode.STRICT));

        assertEquals(Set.of(Limit.MEMORY_HIGH), e.report().unsupported().keySet());
        assertTrue(e.getMessage().contains("MEMORY_HIGH (cgroup v1 has no memory.high"), e.getMessage());
        assertEquals(List.of(), kernel.log("write"), "strict mode writes nothing when a limit is unsupported");
        assertEquals(List.of(
                "rmdir sys/fs/cgroup/cpu/agentd/a1",
                "rmdir sys/fs/cgroup/cpuacct/agentd/a1",
                "rmdir sys/fs/cgroup/memory/process_api/abc/agentd/a1",
                "rmdir sys/fs/cgroup/freezer/agentd/a1",
                "rmdir sys/fs/cgroup/blkio/agentd/a1",
                "rmdir sys/fs/cgroup/pids/agentd/a1"), kernel.log("rmdir"));
        assertFalse(Files.exists(p(MEM)));
        assertTrue(Files.exists(p("sys/fs/cgroup/pids/agentd")), "the shared parent stays");
    }

    @Test
    void create_memoryHighBestEffort_appliesTheRestAndReports() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.builder().memoryMax("1G").memoryHigh("512M").build(),
                LimitMode.BEST_EFFORT);

        LimitReport r = cg.limitReport();
        assertEquals(Set.of(Limit.MEMORY_MAX), r.applied());
        assertEquals(Set.of(Limit.MEMORY_HIGH), r.unsupported().keySet());
        assertFalse(r.complete());
        assertEquals(List.of("write " + MEM + "memory.limit_in_bytes 1073741824"), kernel.log("write"));
    }

    @Test
    void create_writeRefused_rollsBackAndNamesFileAndValue() {
        Path quota = p("sys/fs/cgroup/cpu/agentd/a1/cpu.cfs_quota_us");
        kernel.failWrites.put(quota, "Invalid argument");
        CgroupLimits limits = CgroupLimits.builder().pidsMax(10).cpuMax(CpuQuota.ofQuota(500)).build();

        CgroupException e = assertThrows(CgroupException.class, () -> manager.create("a1", limits, LimitMode.STRICT));

        assertEquals("write " + quota + ": Invalid argument (value \"500\")", e.getMessage());
        assertEquals(quota, e.path().orElseThrow());
        assertEquals("500", e.value().orElseThrow());
        assertEquals(6, kernel.log("rmdir").size());
        for (String h : new String[] {"pids", "blkio", "freezer", "cpuacct", "cpu"}) {
            assertFalse(Files.exists(p("sys/fs/cgroup/" + h + "/agentd/a1")), h);
        }
        assertFalse(Files.exists(p(MEM)));
    }

    @Test
    void create_existingName_failsAndKeepsTheExistingCgroup() throws Exception {
        manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        CgroupException e = assertThrows(CgroupException.class,
                () -> manager.create("a1", CgroupLimits.none(), LimitMode.STRICT));

        assertEquals("mkdir " + p("sys/fs/cgroup/pids/agentd/a1") + ": File exists", e.getMessage());
        assertTrue(Files.exists(p("sys/fs/cgroup/pids/agentd/a1")));
        assertTrue(Files.exists(p(MEM)));
    }

    @Test
    void create_noMemsw_swapUnsupported() throws Exception {
        Files.delete(p("sys/fs/cgroup/memory/process_api/abc/memory.memsw.limit_in_bytes"));

        UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class, () -> manager.create("a1",
                CgroupLimits.builder().memoryMax("1G").swapMax("0").build(), LimitMode.STRICT));

        assertTrue(e.report().unsupported().get(Limit.SWAP_MAX).contains("memory.memsw.limit_in_bytes is missing"));
    }

    @Test
    void create_cfqWeightFile_preferredOverBfq() throws Exception {
        Fixtures.write(p("sys/fs/cgroup/blkio/blkio.weight"), "500");

        manager.create("a1", CgroupLimits.builder().ioWeight(10_000).build(), LimitMode.STRICT);

        assertEquals(List.of("write sys/fs/cgroup/blkio/agentd/a1/blkio.weight 1000"), kernel.log("write"));
    }

    @Test
    void create_noBlkioWeightFile_ioWeightUnsupported() throws Exception {
        Files.delete(p("sys/fs/cgroup/blkio/blkio.bfq.weight"));

        Cgroup cg = manager.create("a1", CgroupLimits.builder().ioWeight(100).build(), LimitMode.BEST_EFFORT);

        assertTrue(cg.limitReport().unsupported().get(Limit.IO_WEIGHT).startsWith("neither blkio.weight nor blkio.bfq.weight"));
    }

    @Test
    void create_invalidName_rejectedBeforeTouchingAnything() {
        for (String bad : new String[] {"", ".", "..", "a/b", "x\ny"}) {
            assertThrows(IllegalArgumentException.class, () -> manager.create(bad, CgroupLimits.none(), LimitMode.STRICT), bad);
        }
        assertEquals(List.of(), kernel.log);
    }

    @Test
    void withParent_absolute_usesSamePathInEveryHierarchy() throws Exception {
        Cgroup cg = manager.withParent("/agentd-test/batch").create("a1", CgroupLimits.none(), LimitMode.STRICT);

        assertTrue(cg.directories().contains(p("sys/fs/cgroup/memory/agentd-test/batch/a1")));
        assertTrue(cg.directories().contains(p("sys/fs/cgroup/pids/agentd-test/batch/a1")));
    }

    @Test
    void withParent_relative_isBelowOwnCgroup() throws Exception {
        Cgroup cg = manager.withParent("x/y").create("a1", CgroupLimits.none(), LimitMode.STRICT);

        assertTrue(cg.directories().contains(p("sys/fs/cgroup/memory/process_api/abc/x/y/a1")));
    }

    @Test
    void stats_readsV1Counters() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        Fixtures.write(p(MEM + "memory.usage_in_bytes"), "1048576\n");
        Fixtures.write(p(MEM + "memory.max_usage_in_bytes"), "2097152\n");
        Fixtures.write(p(MEM + "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
        Fixtures.write(p("sys/fs/cgroup/pids/agentd/a1/pids.current"), "7\n");
        Fixtures.write(p("sys/fs/cgroup/cpuacct/agentd/a1/cpuacct.usage"), "123456789\n");
        Fixtures.write(p("sys/fs/cgroup/cpu/agentd/a1/cpu.stat"), "nr_periods 10\nnr_throttled 4\nthrottled_time 99\n");

        CgroupStats s = cg.stats();

        assertEquals(new CgroupStats(OptionalLong.of(1048576), OptionalLong.of(2097152), OptionalLong.of(123456789),
                OptionalLong.of(4), OptionalLong.of(7), OptionalLong.of(3)), s);
    }

    @Test
    void freezeThaw_writesFreezerState() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        cg.freeze(Duration.ofSeconds(1));
        assertEquals("FROZEN", kernel.contents(p("sys/fs/cgroup/freezer/agentd/a1/freezer.state")));
        cg.thaw();

        assertEquals(List.of(
                "write sys/fs/cgroup/freezer/agentd/a1/freezer.state FROZEN",
                "write sys/fs/cgroup/freezer/agentd/a1/freezer.state THAWED"), kernel.log("write"));
    }

    @Test
    void addProcess_writesEveryHierarchy_joinThreadWritesTasks() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        cg.addProcess(4242);
        cg.joinThread(4343);

        assertEquals(12, kernel.log("write").size());
        assertTrue(kernel.log.contains("write " + MEM + "cgroup.procs 4242"));
        assertTrue(kernel.log.contains("write sys/fs/cgroup/cpu/agentd/a1/tasks 4343"));
        assertTrue(cg.canJoinThread());
        assertEquals(List.of(4242L), cg.pids());
    }

    @Test
    void remove_withProcesses_failsNamingThem() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        cg.addProcess(4242);

        CgroupException e = assertThrows(CgroupException.class, cg::remove);

        assertTrue(e.getMessage().contains("processes [4242] are still in it"), e.getMessage());
        assertTrue(Files.exists(p(MEM)));
    }

    @Test
    void remove_empty_removesEveryDirectory() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        cg.remove();

        for (Path d : cg.directories()) {
            assertFalse(Files.exists(d), d.toString());
        }
    }

    @Test
    void killAll_empty_returnsAtOnce() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        cg.killAll(Duration.ofSeconds(1));

        assertEquals(List.of(), kernel.log("write"));
    }

    @Test
    void killAll_ofACgroupRemovedMeanwhile_returns() throws Exception {
        Cgroup cg = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        for (Path d : cg.directories()) {
            Fixtures.deleteTree(d); // its owner removed it: reading cgroup.procs now fails
        }

        cg.killAll(Duration.ofSeconds(1));

        assertThrows(CgroupException.class, cg::pids);
    }

    @Test
    void open_existing_findsAllDirectories() throws Exception {
        manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);

        Cgroup cg = manager.open("a1");

        assertEquals(6, cg.directories().size());
        assertThrows(CgroupException.class, () -> manager.open("nope"));
    }

    /**
     * A supervisor restarted in another memory cgroup computes other parents; the
     * directories recorded at creation still find, kill and remove every one.
     */
    @Test
    void openRecorded_afterTheProcessMovedToAnotherMemoryCgroup_findsAndRemovesEveryDirectory() throws Exception {
        Cgroup created = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        List<Path> recorded = created.directories();
        Fixtures.write(root.resolve("proc/self/cgroup"),
                Files.readString(root.resolve("proc/self/cgroup")).replace("/process_api/abc", "/process_api/moved"));
        CgroupManager moved = Fixtures.detect(kernel);
        assertEquals(5, moved.open("a1").directories().size(), "recomputed: the memory cgroup is missed");

        Cgroup cg = moved.openRecorded("a1", recorded);
        assertEquals(recorded, cg.directories());
        cg.killAll(Duration.ofSeconds(1));
        cg.remove();
        for (Path d : recorded) {
            assertFalse(Files.exists(d), d + " left");
        }
    }

    @Test
    void openRecorded_refusesDirectoriesOutsideTheHierarchiesOrOfAnotherName() throws Exception {
        Cgroup created = manager.create("a1", CgroupLimits.none(), LimitMode.STRICT);
        Path mem = created.directories().stream().filter(d -> d.toString().contains("/memory/")).findFirst().orElseThrow();
        assertThrows(IllegalArgumentException.class, () -> manager.openRecorded("a1", List.of(root.resolve("etc/a1"))));
        assertThrows(IllegalArgumentException.class, () -> manager.openRecorded("a2", List.of(mem)));
        assertThrows(IllegalArgumentException.class, () -> manager.openRecorded("a1",
                List.of(mem.resolve("../../a1"))));
        assertThrows(IllegalArgumentException.class, () -> manager.openRecorded("a1", List.of(mem, mem)));
        assertThrows(CgroupException.class, () -> manager.openRecorded("a1", List.of(mem.resolveSibling("gone").resolve("a1"))));
    }

    @Test
    void legacy_coMountedCpuAndCpuacct_shareOneDirectory() throws Exception {
        FakeKernel k = Fixtures.legacy(root.resolve("legacy"));
        CgroupManager m = Fixtures.detect(k);
        assertEquals(Layout.LEGACY, m.layout());
        assertEquals(Set.of("cpu", "cpuacct", "freezer", "memory"), m.controllers());

        Cgroup cg = m.create("a1", CgroupLimits.builder().cpuWeight(10_000).pidsMax(5).build(), LimitMode.BEST_EFFORT);

        Path cpuDir = k.root.resolve("sys/fs/cgroup/cpu,cpuacct/system.slice/agentd.service/agentd/a1");
        assertEquals(List.of(
                k.root.resolve("sys/fs/cgroup/memory/system.slice/agentd.service/agentd/a1"),
                cpuDir,
                k.root.resolve("sys/fs/cgroup/freezer/agentd/a1")), cg.directories());
        assertEquals(List.of("write " + k.rel(cpuDir.resolve("cpu.shares")) + " 262144"), k.log("write"));
        assertEquals(Map.of(Limit.PIDS_MAX, "no cgroup v1 pids hierarchy is mounted"), cg.limitReport().unsupported());
    }
}
