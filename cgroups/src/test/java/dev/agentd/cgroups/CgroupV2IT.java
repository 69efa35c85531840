package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.ItSupport.Tree;
import dev.agentd.cgroups.internal.CgroupFs;
import dev.agentd.cgroups.internal.CgroupPaths;
import dev.agentd.cgroups.internal.Mountinfo;
import dev.agentd.cgroups.internal.ProcSelfCgroup;
import dev.agentd.cgroups.v2.V2Manager;
import dev.agentd.linux.testing.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The v2 driver on this machine's kernel, as root: the same scenarios as
 * {@link CgroupV1IT}. On a unified machine it uses {@link Cgroups#detect()};
 * on a hybrid one it drives the cgroup2 mount directly (there the freezer,
 * kill and process placement run; limits need controllers that the hybrid
 * mount does not carry, so those tests need a v2 hierarchy with memory and pids).
 */
class CgroupV2IT {
    static final String PARENT = ItSupport.uniqueName("agentd-it");
    static final Set<Path> parentDirs = new LinkedHashSet<>();
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);

    /** The v2 manager, or why there is none; found once. */
    static final CgroupManager V2;
    static final String V2_CAUSE;

    static {
        CgroupManager m = null;
        String cause = null;
        try {
            m = findV2();
            if (m == null) {
                cause = "no cgroup2 mount holding this process in /proc/self/mountinfo";
            }
        } catch (Exception e) {
            cause = e.toString();
        }
        V2 = m;
        V2_CAUSE = cause;
    }

    private static CgroupManager findV2() throws Exception {
        CgroupManager detected = Cgroups.detect();
        if (detected.layout() == Layout.UNIFIED) {
            return detected;
        }
        Optional<Mountinfo.Mount> mount = Mountinfo.parse(Files.readString(Path.of("/proc/self/mountinfo")), Path.of("/"))
                .stream().filter(x -> x.fsType().equals("cgroup2")).findFirst();
        Optional<ProcSelfCgroup.Entry> own = ProcSelfCgroup.parse(Files.readString(Path.of("/proc/self/cgroup")))
                .stream().filter(ProcSelfCgroup.Entry::isUnified).findFirst();
        if (mount.isEmpty() || own.isEmpty()) {
            return null;
        }
        String ownPath = CgroupPaths.relativeTo(mount.get().root(), own.get().path());
        return ownPath == null ? null
                : new V2Manager(mount.get().mountPoint(), ownPath, CgroupManager.DEFAULT_PARENT, new CgroupFs());
    }

    @TempDir
    Path tmp;
    CgroupManager manager;
    final List<Cgroup> cgroups = new ArrayList<>();
    final List<Tree> trees = new ArrayList<>();

    @BeforeEach
    void requireWritableV2() {
        Require.root();
        String cause = V2_CAUSE;
        boolean writable = false;
        if (V2 != null) {
            // Probe end to end: create and remove an empty cgroup.
            try {
                Cgroup probe = V2.withParent(PARENT).create(ItSupport.uniqueName("agentd-probe"), CgroupLimits.none(),
                        LimitMode.STRICT);
                parentDirs.add(dir(probe).getParent());
                probe.remove();
                writable = true;
            } catch (CgroupException e) {
                cause = "cgroup2 not writable: " + e.getMessage();
            }
        }
        Require.feature("cgroup-v2", writable, cause);
        manager = V2.withParent(PARENT);
    }

    /** For the tests that set limits: the hierarchy must offer memory and pids, and they must reach our cgroups. */
    private void requireControllers() throws CgroupException {
        String cause = V2 + " offers controllers " + manager.controllers() + ", need memory and pids";
        boolean ok = manager.controllers().containsAll(Set.of("memory", "pids"));
        if (ok) {
            try {
                Cgroup probe = manager.create(ItSupport.uniqueName("agentd-probe"),
                        CgroupLimits.builder().memoryMax("max").pidsMax("max").build(), LimitMode.STRICT);
                probe.remove();
            } catch (UnsupportedLimitException e) {
                ok = false;
                cause = e.getMessage();
            }
        }
        Require.feature("cgroup-v2", ok, cause);
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

    private static Path dir(Cgroup cg) {
        return cg.directories().get(0);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    @AfterEach
    void cleanUp() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (Cgroup cg : cgroups) {
            try {
                if (!Files.exists(dir(cg))) {
                    continue;
                }
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

    @AfterAll
    static void removeParents() throws IOException {
        for (Path p : parentDirs) {
            Files.deleteIfExists(p);
        }
    }

    @Test
    void createAndRemove_nothingLeftBehind() throws Exception {
        Cgroup cg = create(CgroupLimits.none(), LimitMode.STRICT);
        assertTrue(Files.isDirectory(dir(cg)));
        assertEquals(List.of(), cg.pids());

        cg.remove();

        assertFalse(Files.exists(dir(cg)));
    }

    @Test
    void create_refusedLimit_rollsBack() {
        String name = ItSupport.uniqueName("agentd-test");
        if (manager.controllers().contains("cpu")) {
            // The kernel refuses quotas below 1 ms (sched-bwc.rst).
            CgroupException e = assertThrows(CgroupException.class, () -> manager.create(name,
                    CgroupLimits.builder().cpuMax(CpuQuota.ofQuota(500)).build(), LimitMode.STRICT));
            assertTrue(e.getMessage().matches("write .*/cpu.max: Invalid argument \\(value \"500 100000\"\\)"),
                    e.getMessage());
        } else {
            // Without the cpu controller, strict mode refuses the limit as unsupported.
            UnsupportedLimitException e = assertThrows(UnsupportedLimitException.class, () -> manager.create(name,
                    CgroupLimits.builder().cpuMax(CpuQuota.ofQuota(500)).build(), LimitMode.STRICT));
            assertEquals(Set.of(Limit.CPU_MAX), e.report().unsupported().keySet());
        }
        assertThrows(CgroupException.class, () -> manager.open(name), "nothing may be left of " + name);
    }

    @Test
    void createAndRemove_limitsInKernelFiles() throws Exception {
        requireControllers();
        Cgroup cg = create(CgroupLimits.builder().memoryMax("128M").memoryHigh("100M").pidsMax(64).build(), LimitMode.STRICT);

        assertEquals("134217728", read(dir(cg).resolve("memory.max")));
        assertEquals("104857600", read(dir(cg).resolve("memory.high")));
        assertEquals("64", read(dir(cg).resolve("pids.max")));
        cg.remove();
        assertFalse(Files.exists(dir(cg)));
    }

    @Test
    void memoryHog_isOomKilledAtItsLimit() throws Exception {
        requireControllers();
        Cgroup cg = create(CgroupLimits.builder().memoryMax("64M").swapMax("0").build(), LimitMode.BEST_EFFORT);
        Tree hog = gated("/usr/bin/python3", "-I", "-S", "-c", "a = []\nwhile True:\n    a.append(b'x' * (1 << 20))");
        cg.addProcess(hog.pid);
        hog.release();

        assertEquals(128 + 9, hog.waitFor(Duration.ofSeconds(20)), "killed by SIGKILL");
        assertTrue(cg.stats().oomKills().orElseThrow() >= 1, "oom_kill counted: " + cg.stats());
    }

    @Test
    void forkBomb_stopsAtPidsMax() throws Exception {
        requireControllers();
        Cgroup cg = create(CgroupLimits.builder().pidsMax(16).build(), LimitMode.STRICT);
        // The shell puts itself in the cgroup before it forks anything (and stops
        // if it cannot); the loop is bounded, the children end by themselves.
        String bomb = "i=0; while [ $i -lt 100 ]; do sleep 10 & i=$((i+1)); done; wait";
        Tree t = ItSupport.start(tmp.resolve("stderr"),
                List.of("sh", "-c", "echo $$ > \"$1/cgroup.procs\" && exec sh -c \"$2\"", "sh", dir(cg).toString(), bomb));
        trees.add(t);

        ItSupport.await(Duration.ofSeconds(10), "a refused fork",
                () -> read(dir(cg).resolve("pids.events")).matches("(?s).*max [1-9].*"));

        assertTrue(cg.stats().pidsCurrent().orElseThrow() <= 16, "pids.current " + cg.stats().pidsCurrent());
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
        assertTrue(read(dir(cg).resolve("cgroup.events")).contains("frozen 1"));
        long frozenAt = ItSupport.counter(file);
        Thread.sleep(300);
        assertEquals(frozenAt, ItSupport.counter(file), "no progress while frozen");

        cg.thaw();
        ItSupport.await(Duration.ofSeconds(5), "progress after thaw", () -> ItSupport.counter(file) > frozenAt);
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
        assertTrue(read(dir(cg).resolve("cgroup.events")).contains("populated 0"));
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
        assertTrue(Files.exists(dir(cg)));
    }

    @Test
    void joinThread_refusedOnV2() throws Exception {
        Cgroup cg = create(CgroupLimits.none(), LimitMode.STRICT);

        assertFalse(cg.canJoinThread());
        assertThrows(UnsupportedOperationException.class, () -> cg.joinThread(ItSupport.ownTid()));
        assertFalse(cg.pids().contains(ProcessHandle.current().pid()), "the JVM must not have moved");
    }
}
