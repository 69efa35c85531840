package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.ItSupport.Tree;
import dev.agentd.linux.testing.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v1 driver on this machine's kernel (legacy or hybrid layout), as root.
 * Every cgroup lives under a per-run parent below our own cgroup in each
 * hierarchy, and is killed and removed after each test even on failure.
 */
class CgroupV1IT {
    static final String PARENT = ItSupport.uniqueName("agentd-it");
    static final Set<String> NEEDED = Set.of("memory", "pids", "cpu", "cpuacct", "freezer");
    static final Set<Path> parentDirs = new LinkedHashSet<>();
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path tmp;
    CgroupManager manager;
    final List<Cgroup> cgroups = new ArrayList<>();
    final List<Tree> trees = new ArrayList<>();

    @BeforeEach
    void requireV1() {
        Require.root();
        CgroupManager m = null;
        String cause;
        try {
            m = Cgroups.detect();
            cause = "layout " + m.layout() + " with controllers " + m.controllers() + ", need v1 " + NEEDED;
        } catch (CgroupException e) {
            cause = e.getMessage();
        }
        Require.feature("cgroup-v1", m != null && m.layout() != Layout.UNIFIED && m.controllers().containsAll(NEEDED), cause);
        manager = m.withParent(PARENT);
    }

    private Cgroup create(CgroupLimits limits, LimitMode mode) throws CgroupException {
        Cgroup cg = manager.create(ItSupport.uniqueName("agentd-test"), limits, mode);
        cgroups.add(cg);
        cg.directories().forEach(d -> parentDirs.add(d.getParent()));
        return cg;
    }

    private Tree gated(String... command) throws Exception {
        Tree t = ItSupport.startGated(tmp.resolve("stderr"), command);
        trees.add(t);
        return t;
    }

    private static Path dirWith(Cgroup cg, String file) {
        return cg.directories().stream().filter(d -> Files.exists(d.resolve(file))).findFirst()
                .orElseThrow(() -> new AssertionError("no directory of " + cg + " has " + file));
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    @AfterEach
    void cleanUp() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (Cgroup cg : cgroups) {
            try {
                if (cg.directories().stream().noneMatch(Files::exists)) {
                    continue;
                }
                leaveIfJoined(cg);
                cg.thaw();
                cg.killAll(KILL_TIMEOUT);
                cg.remove();
            } catch (Exception e) {
                failures.add(e);
            }
        }
        trees.forEach(Tree::destroy);
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed: " + failures.get(0).getMessage(), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** If a test left one of our threads inside (a failed joinThread test), move all our threads back to our own cgroup. */
    private static void leaveIfJoined(Cgroup cg) throws Exception {
        if (!cg.pids().contains(ProcessHandle.current().pid())) {
            return;
        }
        List<String> tids;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            tids = s.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
        for (Path d : cg.directories()) {
            Path own = d.getParent().getParent(); // <own cgroup>/<PARENT>/<name>
            for (String tid : tids) {
                try {
                    Files.writeString(own.resolve("tasks"), tid);
                } catch (IOException gone) {
                    // the thread ended meanwhile
                }
            }
        }
    }

    @AfterAll
    static void removeParents() throws IOException {
        for (Path p : parentDirs) {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void createAndRemove_limitsInKernelFiles_nothingLeftBehind() throws Exception {
        Cgroup cg = create(CgroupLimits.builder().memoryMax("128M").cpus("0.5").cpuWeight(100).pidsMax(64).build(),
                LimitMode.STRICT);

        assertTrue(cg.limitReport().complete());
        assertEquals("134217728", read(dirWith(cg, "memory.limit_in_bytes").resolve("memory.limit_in_bytes")));
        assertEquals("64", read(dirWith(cg, "pids.max").resolve("pids.max")));
        assertEquals("50000", read(dirWith(cg, "cpu.cfs_quota_us").resolve("cpu.cfs_quota_us")));
        assertEquals("100000", read(dirWith(cg, "cpu.cfs_period_us").resolve("cpu.cfs_period_us")));
        assertEquals("2597", read(dirWith(cg, "cpu.shares").resolve("cpu.shares")));
        assertEquals(List.of(), cg.pids());

        cg.remove();

        for (Path d : cg.directories()) {
            assertFalse(Files.exists(d), d + " left behind");
        }
    }

    @Test
    void create_swapAndIoBestEffort_appliedWhereTheKernelHasThem() throws Exception {
        Cgroup cg = create(CgroupLimits.builder().memoryMax("64M").swapMax("0").ioWeight(10_000).build(),
                LimitMode.BEST_EFFORT);

        LimitReport r = cg.limitReport();
        if (r.applied().contains(Limit.SWAP_MAX)) {
            assertEquals("67108864", read(dirWith(cg, "memory.memsw.limit_in_bytes").resolve("memory.memsw.limit_in_bytes")));
        }
        if (r.applied().contains(Limit.IO_WEIGHT)) {
            Path d = dirWith(cg, "blkio.throttle.io_serviced");
            Path f = Files.exists(d.resolve("blkio.weight")) ? d.resolve("blkio.weight") : d.resolve("blkio.bfq.weight");
            assertEquals("1000", read(f));
        }
        assertEquals(Set.of(Limit.MEMORY_MAX, Limit.SWAP_MAX, Limit.IO_WEIGHT),
                union(r.applied(), r.unsupported().keySet()));
    }

    private static Set<Limit> union(Set<Limit> a, Set<Limit> b) {
        Set<Limit> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return s;
    }

    @Test
    void create_impossibleLimit_rollsBackEveryHierarchy() {
        String name = ItSupport.uniqueName("agentd-test");
        // The kernel refuses quotas below 1 ms (sched-bwc.rst); CpuQuota itself does not check that.
        CgroupLimits limits = CgroupLimits.builder().pidsMax(10).cpuMax(CpuQuota.ofQuota(500)).build();

        CgroupException e = assertThrows(CgroupException.class, () -> manager.create(name, limits, LimitMode.STRICT));

        assertTrue(e.getMessage().matches("write /sys/fs/cgroup/.*/cpu.cfs_quota_us: Invalid argument \\(value \"500\"\\)"),
                e.getMessage());
        assertThrows(CgroupException.class, () -> manager.open(name), "nothing may be left of " + name);
    }

    @Test
    void create_memoryHighStrict_unsupportedAndRolledBack() {
        String name = ItSupport.uniqueName("agentd-test");

        UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class, () -> manager.create(name,
                CgroupLimits.builder().memoryMax("1G").memoryHigh("512M").build(), LimitMode.STRICT));

        assertEquals(Set.of(Limit.MEMORY_HIGH), e.report().unsupported().keySet());
        assertThrows(CgroupException.class, () -> manager.open(name));
    }

    @Test
    void memoryHog_isOomKilledAtItsLimit() throws Exception {
        Cgroup cg = create(CgroupLimits.builder().memoryMax("64M").swapMax("0").build(), LimitMode.BEST_EFFORT);
        // Touches 1 MiB more per step (b'x' * n fills its buffer), forever: only the limit stops it.
        Tree hog = gated("/usr/bin/python3", "-I", "-S", "-c", "a = []\nwhile True:\n    a.append(b'x' * (1 << 20))");
        cg.addProcess(hog.pid);
        hog.release();

        int status = hog.waitFor(Duration.ofSeconds(20));

        assertEquals(128 + 9, status, "killed by SIGKILL");
        CgroupStats s = cg.stats();
        assertTrue(s.oomKills().orElseThrow() >= 1, "oom_kill counted: " + s);
        long peak = s.memoryPeakBytes().orElseThrow();
        assertTrue(peak > (32L << 20) && peak <= (64L << 20), "peak " + peak + " near the 64M limit");
    }

    @Test
    void forkBomb_stopsAtPidsMax() throws Exception {
        Cgroup cg = create(CgroupLimits.builder().pidsMax(16).build(), LimitMode.STRICT);
        Path pids = dirWith(cg, "pids.max");
        // The shell puts itself in the pids cgroup before it forks anything (and
        // stops if it cannot); the loop is bounded, the children end by themselves.
        String bomb = "i=0; while [ $i -lt 100 ]; do sleep 10 & i=$((i+1)); done; wait";
        Tree t = ItSupport.start(tmp.resolve("stderr"),
                List.of("sh", "-c", "echo $$ > \"$1/cgroup.procs\" && exec sh -c \"$2\"", "sh", pids.toString(), bomb));
        trees.add(t);

        ItSupport.await(Duration.ofSeconds(10), "a refused fork",
                () -> read(pids.resolve("pids.events")).matches("(?s).*max [1-9].*"));

        assertTrue(cg.stats().pidsCurrent().orElseThrow() <= 16, "pids.current " + cg.stats().pidsCurrent());
        assertTrue(cg.pids().size() <= 16, "pids " + cg.pids());
        cg.killAll(KILL_TIMEOUT);
        assertEquals(List.of(), cg.pids());
        t.waitFor(Duration.ofSeconds(5));
    }

    @Test
    void freeze_stopsProgress_thawResumes() throws Exception {
        Cgroup cg = create(CgroupLimits.none(), LimitMode.STRICT);
        Path file = tmp.resolve("counter");
        Tree t = gated("sh", "-c", "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo $i > \"$1\"; sleep 0.01; done", "sh",
                file.toString());
        cg.addProcess(t.pid);
        t.release();
        ItSupport.await(Duration.ofSeconds(5), "the counter to run", () -> ItSupport.counter(file) >= 3);

        cg.freeze(Duration.ofSeconds(5));
        assertEquals("FROZEN", read(dirWith(cg, "freezer.state").resolve("freezer.state")));
        long frozenAt = ItSupport.counter(file);
        Thread.sleep(300);
        assertEquals(frozenAt, ItSupport.counter(file), "no progress while frozen");

        cg.thaw();
        ItSupport.await(Duration.ofSeconds(5), "progress after thaw", () -> ItSupport.counter(file) > frozenAt);
        assertTrue(cg.stats().cpuUsageNanos().orElseThrow() > 0);
    }

    @Test
    void killAll_processTree_leavesCgroupEmpty() throws Exception {
        Cgroup cg = create(CgroupLimits.none(), LimitMode.STRICT);
        Tree t = gated("sh", "-c", "sleep 30 & sleep 30 & sleep 30 & wait");
        cg.addProcess(t.pid);
        t.release();
        ItSupport.await(Duration.ofSeconds(5), "4 processes", () -> cg.pids().size() == 4);

        cg.killAll(KILL_TIMEOUT);

        assertEquals(List.of(), cg.pids());
        assertEquals(128 + 9, t.waitFor(Duration.ofSeconds(5)));
        cg.remove();
    }

    @Test
    void remove_withProcesses_failsNamingThem() throws Exception {
        Cgroup cg = create(CgroupLimits.none(), LimitMode.STRICT);
        Tree t = gated("sleep", "30");
        cg.addProcess(t.pid);
        t.release();

        CgroupException e = assertThrows(CgroupException.class, cg::remove);

        assertTrue(e.getMessage().contains("processes [" + t.pid + "] are still in it"), e.getMessage());
        assertTrue(cg.directories().stream().allMatch(Files::exists));
    }

    @Test
    void joinThread_childSpawnedByThatThreadStartsInside() throws Exception {
        Cgroup cg = create(CgroupLimits.builder().pidsMax(32).build(), LimitMode.STRICT);
        // The joined thread must not start threads (they would stay inside): make
        // sure the JDK's process reaper thread exists already.
        ItSupport.warmUpProcessReaper();
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread spawner = new Thread(() -> {
            try {
                cg.joinThread(ItSupport.ownTid());
                Process p = new ProcessBuilder("cat", "/proc/self/cgroup").start();
                seen.set(new String(p.getInputStream().readAllBytes()));
                p.waitFor();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "spawner");
        spawner.start();
        spawner.join(10_000);

        assertEquals(null, failed.get());
        for (String line : seen.get().split("\n")) {
            String[] f = line.split(":", 3);
            if (Set.of(f[1].split(",")).stream().anyMatch(NEEDED::contains)) {
                assertTrue(f[2].endsWith("/" + PARENT + "/" + cg.name()), "child's cgroup: " + line);
            }
        }
        // The thread ended, so this JVM is no longer in the cgroup.
        ItSupport.await(Duration.ofSeconds(5), "the JVM to leave", () -> !cg.pids().contains(ProcessHandle.current().pid()));
    }
}
