package dev.agentd.spawner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.linux.Fd;
import dev.agentd.linux.NamespaceSyscall.Namespace;
import dev.agentd.linux.Spawn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pins the order of the spawn sequence with a recording fake of the syscall seam (youki's TestHelperSyscall). */
class SpawnSequenceTest {
    @TempDir
    Path dir;

    /** Records each call; optionally fails one step. */
    static class Recording implements SandboxSyscalls {
        final List<String> calls = new ArrayList<>();
        String failAt;
        int nextPid = 100;

        private void rec(String call) throws IOException {
            calls.add(call);
            if (call.equals(failAt) || call.startsWith(failAt + " ")) {
                throw new IOException("injected failure at " + call);
            }
        }

        @Override public void warmUp() { calls.add("warmUp"); }
        @Override public int gettid() { return 42; }
        @Override public void joinCgroup(Cgroup c, int tid) throws IOException { rec("joinCgroup " + tid); }
        @Override public void unshare(Set<Namespace> ns) throws IOException {
            rec("unshare " + ns.stream().map(Enum::name).sorted().collect(Collectors.joining(",")));
        }
        @Override public void sethostname(String h) throws IOException { rec("sethostname " + h); }
        @Override public void loopbackUp() throws IOException { rec("loopbackUp"); }
        @Override public void mount(String s, Path t, String type, long flags, String data) throws IOException {
            rec("mount " + (type == null ? "-" : type) + " " + t);
        }
        @Override public void mkdirs(Path d) throws IOException { Files.createDirectories(d); }
        @Override public void touch(Path f) throws IOException { if (!Files.exists(f)) Files.createFile(f); }
        @Override public void symlink(Path l, String t) throws IOException { }
        @Override public Fd openLog(Path f) throws IOException { rec("openLog"); return Fd.adopt(999, "fake"); }
        @Override public void makeGate(Path fifo, int uid) throws IOException { rec("makeGate " + uid); }
        @Override public LandlockPlan.Prepared prepareLandlock(LandlockPlan p) throws IOException {
            rec("prepareLandlock");
            return () -> { rec("restrictLandlock"); return List.of(); };
        }
        @Override public void pivotRoot(Path r) throws IOException { rec("pivotRoot"); }
        @Override public void dropBoundingSet() throws IOException { rec("dropBoundingSet"); }
        @Override public void clearGroups() throws IOException { rec("clearGroups"); }
        @Override public void setresgid(int g) throws IOException { rec("setresgid " + g); }
        @Override public void setresuid(int u) throws IOException { rec("setresuid " + u); }
        @Override public void clearCapabilities() throws IOException { rec("clearCapabilities"); }
        @Override public void setNoNewPrivs() throws IOException { rec("setNoNewPrivs"); }
        @Override public List<String> restrictLandlock(LandlockPlan.Prepared p) throws IOException { return p.restrict(); }
        @Override public void installSeccomp(byte[] f) throws IOException { rec("installSeccomp"); }
        @Override public int spawn(Spawn s) throws IOException { rec("spawn"); return nextPid++; }
        @Override public int spawnAndAwaitReady(java.util.function.IntFunction<Spawn> withReadyFd) throws IOException {
            withReadyFd.apply(99);
            rec("spawnInit");
            return nextPid++;
        }
        @Override public void kill(int pid) { calls.add("kill " + pid); }
        @Override public Fd openDirectory(Path d) throws IOException { rec("openDirectory " + d); return Fd.adopt(998, "fake"); }
        @Override public void copyTree(Path from, Path to) throws IOException { rec("copyTree"); }
        @Override public dev.agentd.linux.WaitStatus waitFor(int pid) throws IOException {
            rec("waitFor");
            return new dev.agentd.linux.WaitStatus(pid, 0, 0);
        }
        @Override public Collected spawnAndCollect(java.util.function.IntFunction<Spawn> withOutFd) throws IOException {
            rec("spawnAndCollect");
            withOutFd.apply(97);
            return new Collected(new dev.agentd.linux.WaitStatus(nextPid++, 0, 0), "probe ok");
        }

        /** The calls that matter for ordering, without the individual mounts. */
        List<String> steps() {
            return calls.stream().filter(c -> !c.startsWith("mount ") || c.equals("mount - /"))
                    .collect(Collectors.toList());
        }
    }

    private SandboxSpec spec() throws IOException {
        Path staging = Files.createDirectories(dir.resolve("root"));
        return SandboxSpec.builder().name("t").uid(61000).command(List.of("/bin/true"))
                .stagingDir(staging).logFile(dir.resolve("log")).seccompFilter(new byte[8])
                .mount(BindMount.readOnly(Path.of("/usr"))).build();
    }

    @Test
    void run_stepsInOrder() throws Exception {
        Recording r = new Recording();
        SpawnResult res = new SpawnSequence(spec(), r).run();
        assertEquals(List.of(
                "warmUp",
                "unshare CGROUP,IPC,MOUNT,NET,PID,UTS",
                "sethostname t",
                "loopbackUp",
                "mount - /",
                "openLog",
                "openLog",
                "spawnInit",
                "prepareLandlock",
                "pivotRoot",
                "dropBoundingSet",
                "clearGroups",
                "setresgid 61000",
                "setresuid 61000",
                "clearCapabilities",
                "setNoNewPrivs",
                "restrictLandlock",
                "installSeccomp",
                "spawn"), r.steps());
        assertEquals(100, res.initPid());
        assertEquals(101, res.agentPid());
    }

    @Test
    void restore_keepsTheDomainButLeavesCredentialsAndSeccompToTheRestorer() throws Exception {
        Recording r = new Recording();
        Path images = Files.createDirectories(dir.resolve("images"));
        Restore restore = new Restore(List.of("/usr/sbin/criu", "restore"), images, List.of(), java.util.Optional.of(images),
                List.of("/bin/sh", "-c", "true"));
        SpawnSequence seq = new SpawnSequence(spec(), r, restore);
        SpawnResult res = seq.run();
        assertEquals(List.of(
                "warmUp",
                "unshare CGROUP,IPC,MOUNT,NET,PID,UTS",
                "sethostname t",
                "loopbackUp",
                "mount - /",
                "copyTree",
                "openLog",
                "openLog",
                "openDirectory " + images,
                "spawnInit",
                "prepareLandlock",
                "pivotRoot",
                "restrictLandlock",
                "spawn",
                "waitFor",
                "spawnAndCollect"), r.steps());
        assertEquals(100, res.initPid());
        assertEquals(0, res.agentPid(), "the restored agent is found afterwards, by its pid in the namespace");
        assertEquals("probe ok", seq.probeOutput());
        assertEquals(-1, seq.leftoverInit());
    }

    @Test
    void restore_aFailedRestorerLeavesTheInitToKill() throws Exception {
        Recording r = new Recording() {
            @Override public dev.agentd.linux.WaitStatus waitFor(int pid) {
                return new dev.agentd.linux.WaitStatus(pid, 1, 0);
            }
        };
        Path images = Files.createDirectories(dir.resolve("images"));
        SpawnSequence seq = new SpawnSequence(spec(), r, new Restore(List.of("/usr/sbin/criu"), images, List.of(),
                java.util.Optional.empty(), List.of("/bin/true")));
        SpawnException e = assertThrows(SpawnException.class, seq::run);
        assertEquals("restore", e.step());
        assertEquals(100, seq.leftoverInit());
    }

    @Test
    void run_mountsBuildTheViewBeforePivot() throws Exception {
        Recording r = new Recording();
        new SpawnSequence(spec(), r).run();
        String root = dir.resolve("root").toString();
        List<String> mounts = r.calls.stream().filter(c -> c.startsWith("mount ")).collect(Collectors.toList());
        assertEquals(List.of(
                "mount - /",
                "mount tmpfs " + root,
                "mount tmpfs " + root + "/tmp",
                "mount - " + root + "/usr",
                "mount - " + root + "/usr",
                "mount tmpfs " + root + "/dev",
                "mount - " + root + "/dev/null",
                "mount - " + root + "/dev/zero",
                "mount - " + root + "/dev/full",
                "mount - " + root + "/dev/random",
                "mount - " + root + "/dev/urandom",
                "mount - " + root + "/dev/tty",
                "mount tmpfs " + root + "/dev/shm",
                "mount - " + root + "/run/agent.log",
                "mount - " + root + "/run/agent.log",
                "mount - " + root), mounts);
        assertTrue(r.calls.indexOf("mount - " + root) < r.calls.indexOf("pivotRoot"), "root made read-only before pivot");
    }

    @Test
    void run_failureBeforeTheAgentSpawnLeavesNothingRunning() throws Exception {
        Recording r = new Recording();
        r.failAt = "installSeccomp";
        SpawnSequence seq = new SpawnSequence(spec(), r);
        SpawnException e = assertThrows(SpawnException.class, seq::run);
        assertEquals("seccomp", e.step());
        assertTrue(r.calls.stream().noneMatch(c -> c.equals("spawn")));
        assertEquals(100, seq.leftoverInit(), "the init, already started, is left for the caller to kill");
    }

    @Test
    void run_agentSpawnFailureKillsInit() throws Exception {
        Recording r = new Recording() {
            @Override public int spawn(Spawn s) throws IOException {
                throw new IOException("no such program");
            }
        };
        SpawnSequence seq = new SpawnSequence(spec(), r);
        SpawnException e = assertThrows(SpawnException.class, seq::run);
        assertEquals("spawn-agent", e.step());
        assertEquals(100, seq.leftoverInit(), r.calls.toString());
    }

    @Test
    void run_cgroupJoinedBeforeUnshare() throws Exception {
        Recording r = new Recording();
        Path staging = Files.createDirectories(dir.resolve("root2"));
        Cgroup fake = (Cgroup) java.lang.reflect.Proxy.newProxyInstance(Cgroup.class.getClassLoader(),
                new Class<?>[] {Cgroup.class}, (p, m, a) -> m.getName().equals("name") ? "x"
                        : m.getName().equals("canJoinThread") ? Boolean.TRUE : null);
        SandboxSpec s = SandboxSpec.builder().name("t").uid(61000).command(List.of("/bin/true"))
                .stagingDir(staging).logFile(dir.resolve("log")).cgroup(fake).build();
        new SpawnSequence(s, r).run();
        assertEquals("joinCgroup 42", r.calls.get(1));
        assertTrue(r.calls.get(2).startsWith("unshare"));
    }

    @Test
    void run_rlimitsGateEachChildBeforeExec() throws Exception {
        Recording r = new Recording();
        Path staging = Files.createDirectories(dir.resolve("root3"));
        SandboxSpec s = SandboxSpec.builder().name("t").uid(61000).command(List.of("/bin/true"))
                .stagingDir(staging).logFile(dir.resolve("log")).rlimit(SandboxSpec.Rlimit.NOFILE, 64).build();
        new SpawnSequence(s, r).run();
        int gate = r.calls.indexOf("makeGate 61000");
        assertTrue(gate > 0 && gate < r.calls.indexOf("prepareLandlock"), "gate made before Landlock and pivot: " + r.calls);
    }

    @Test
    void build_rejectsRootAndRelativeCommand() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SandboxSpec.builder()
                .name("t").uid(0).command(List.of("true")).stagingDir(dir).logFile(dir.resolve("l")).build());
        assertTrue(e.getMessage().contains("uid: expected a non-root uid"), e.getMessage());
        assertTrue(e.getMessage().contains("command[0]: expected an absolute path"), e.getMessage());
    }
}
