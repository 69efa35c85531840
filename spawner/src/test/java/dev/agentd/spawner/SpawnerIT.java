package dev.agentd.spawner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.Cgroups;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.landlock.Landlock;
import dev.agentd.linux.SeccompSyscall;
import dev.agentd.linux.WaitStatus;
import dev.agentd.linux.testing.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-kernel tests of the spawner: each property checked from inside the spawned process. */
class SpawnerIT {
    static Spawner spawner;

    @TempDir
    Path dir;

    Cgroup cgroup;

    @BeforeAll
    static void create() throws Exception {
        Require.root();
        Require.feature("landlock", Landlock.isAvailable(), "no Landlock");
        spawner = Spawner.create();
    }

    @BeforeEach
    void checkInit() {
        Require.feature("catatonit", Files.isExecutable(Path.of("/usr/bin/catatonit")), "apt-get install catatonit");
    }

    @AfterEach
    void removeCgroup() throws Exception {
        if (cgroup != null) {
            cgroup.killAll(Duration.ofSeconds(5));
            cgroup.remove();
        }
    }

    private SandboxSpec.Builder spec(String name, String script) throws Exception {
        Path staging = Files.createDirectory(dir.resolve("root-" + name));
        SandboxSpec.Builder b = SandboxSpec.builder().name(name).uid(61000 + Math.abs(name.hashCode() % 900))
                .command(List.of("/bin/sh", "-c", script)).stagingDir(staging).logFile(dir.resolve(name + ".log"));
        for (String p : List.of("/usr", "/bin", "/lib", "/lib64", "/sbin")) {
            if (Files.exists(Path.of(p))) {
                b.mount(BindMount.readOnly(Path.of(p)));
            }
        }
        return b.access(Path.of("/usr"), PathAccess.Kind.EXECUTE);
    }

    private Map<String, String> run(SandboxSpec s) throws Exception {
        SandboxHandle h = spawner.spawn(s);
        WaitStatus st = h.waitFor();
        h.reapInit();
        String out = Files.readString(s.logFile());
        assertTrue(st.exited(), st + "\n" + out);
        Map<String, String> m = new HashMap<>();
        for (String l : out.split("\n")) {
            int i = l.indexOf('=');
            if (i > 0) {
                m.put(l.substring(0, i), l.substring(i + 1).trim());
            }
        }
        m.put("exit", Integer.toString(st.exitCode()));
        m.put("out", out);
        return m;
    }

    @Test
    void spawn_identityNamespacesAndPrivileges() throws Exception {
        Map<String, String> m = run(spec("ident", "echo uid=$(id -u); echo gid=$(id -g); echo groups=$(id -G);"
                + " echo pid=$$; echo host=$(hostname);"
                + " grep -E '^(CapEff|CapPrm|CapBnd|CapAmb|CapInh|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/:\\s*/=/';"
                + " echo ifaces=$(ls /sys/class/net 2>&1 | wc -l); echo netdev=$(grep -c : /proc/net/dev 2>/dev/null || echo none)")
                .hostname("sandbox-host").build());
        int uid = 61000 + Math.abs("ident".hashCode() % 900);
        assertEquals(Integer.toString(uid), m.get("uid"), m.get("out"));
        assertEquals(Integer.toString(uid), m.get("gid"));
        assertEquals(Integer.toString(uid), m.get("groups"), "no supplementary groups");
        assertEquals("2", m.get("pid"), "the agent is PID 2; the init is PID 1");
        assertEquals("sandbox-host", m.get("host"));
        for (String cap : List.of("CapEff", "CapPrm", "CapBnd", "CapAmb", "CapInh")) {
            assertEquals("0000000000000000", m.get(cap), cap + "\n" + m.get("out"));
        }
        assertEquals("1", m.get("NoNewPrivs"));
    }

    @Test
    void spawn_seccompFilterIsInstalledLast() throws Exception {
        Require.feature("seccomp", SeccompSyscall.filterAvailable(), "no seccomp filter");
        // A one-instruction filter: SECCOMP_RET_ALLOW (ld/ret encoding: BPF_RET|BPF_K = 0x06).
        byte[] allowAll = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder())
                .putShort((short) 0x06).put((byte) 0).put((byte) 0).putInt(0x7fff0000).array();
        Map<String, String> m = run(spec("secc", "grep -E '^Seccomp:' /proc/self/status | sed 's/:\\s*/=/'")
                .seccompFilter(allowAll).build());
        assertEquals("2", m.get("Seccomp"), m.get("out"));
    }

    @Test
    void spawn_rlimitsHoldFromTheFirstInstruction() throws Exception {
        Map<String, String> m = run(spec("rlim", "echo nofile=$(ulimit -n); echo core=$(ulimit -c)")
                .rlimit(SandboxSpec.Rlimit.NOFILE, 64).rlimit(SandboxSpec.Rlimit.CORE, 0).build());
        assertEquals("64", m.get("nofile"), m.get("out"));
        assertEquals("0", m.get("core"));
    }

    @Test
    void spawn_insideItsCgroupBeforeTheFirstInstruction() throws Exception {
        Require.feature("cgroup-v1", Files.isDirectory(Path.of("/sys/fs/cgroup/pids")), "no v1 pids hierarchy");
        CgroupManager mgr = Cgroups.detect().withParent("agentd-spawner-it");
        cgroup = mgr.create("c" + ProcessHandle.current().pid(), CgroupLimits.builder().pidsMax(16).build(), LimitMode.STRICT);
        // The first command reads /proc/self/cgroup: in the agent's own cgroup
        // namespace, rooted at its cgroup, every hierarchy shows "/".
        // Then it tries to start 64 processes: pids.max 16 refuses one, and
        // dash gives up with "Cannot fork" (on stderr, into the log).
        Map<String, String> m = run(spec("cg", "echo first=$(cat /proc/self/cgroup | tr '\\n' ' ');"
                + " i=0; while [ $i -lt 64 ]; do sleep 3 & i=$((i+1)); done; echo looped=$i")
                .cgroup(cgroup).build());
        for (String line : m.get("first").split(" ")) {
            assertTrue(line.endsWith(":/"), "cgroup line " + line + " in " + m.get("out"));
        }
        assertEquals(null, m.get("looped"), m.get("out"));
        assertTrue(m.get("out").contains("Cannot fork"), "forks refused by pids.max: " + m.get("out"));
    }

    @Test
    void spawn_cgroupAndRlimitsTogether() throws Exception {
        Require.feature("cgroup-v1", Files.isDirectory(Path.of("/sys/fs/cgroup/pids")), "no v1 pids hierarchy");
        CgroupManager mgr = Cgroups.detect().withParent("agentd-spawner-it");
        cgroup = mgr.create("r" + ProcessHandle.current().pid(), CgroupLimits.builder().pidsMax(16).build(), LimitMode.STRICT);
        Map<String, String> m = run(spec("cgr", "echo nofile=$(ulimit -n)").cgroup(cgroup)
                .rlimit(SandboxSpec.Rlimit.NOFILE, 64).build());
        assertEquals("64", m.get("nofile"), m.get("out"));
    }

    @Test
    void spawn_stdioPipes() throws Exception {
        dev.agentd.linux.Pipe in = dev.agentd.linux.Pipe.open();
        dev.agentd.linux.Pipe out = dev.agentd.linux.Pipe.open();
        SandboxSpec s = spec("pipes", "tr a-z A-Z; echo to-stderr >&2").stdio(in.readEnd(), out.writeEnd()).build();
        SandboxHandle h = spawner.spawn(s);
        in.readEnd().close();
        out.writeEnd().close();
        try (java.io.OutputStream w = dev.agentd.linux.Pipe.outputStream(in.writeEnd());
                java.io.InputStream r = dev.agentd.linux.Pipe.inputStream(out.readEnd())) {
            w.write("through the sandbox\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            w.close();
            assertEquals("THROUGH THE SANDBOX\n", new String(r.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(0, h.waitFor().exitCode());
        h.reapInit();
        assertEquals("to-stderr\n", Files.readString(s.logFile()), "stderr still goes to the log");
    }

    @Test
    void spawn_badProgramFailsAndLeavesNothingRunning() throws Exception {
        SandboxSpec s = spec("bad", "true").command(List.of("/usr/bin/does-not-exist")).build();
        SpawnException e = assertThrows(SpawnException.class, () -> spawner.spawn(s));
        assertEquals("spawn-agent", e.step(), e.getMessage());
        try (Stream<ProcessHandle> all = ProcessHandle.current().children()) {
            assertFalse(all.anyMatch(p -> p.info().command().orElse("").contains("catatonit")), "init was killed and reaped");
        }
    }

    @Test
    void spawn_otherThreadsKeepTheirPrivileges() throws Exception {
        for (int i = 0; i < 20; i++) {
            SandboxSpec s = spec("t" + i, "exit 0").build();
            SandboxHandle h = spawner.spawn(s);
            h.waitFor();
            h.reapInit();
        }
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : tasks.toList()) {
                String status;
                try {
                    status = Files.readString(t.resolve("status"));
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue;
                }
                assertTrue(status.contains("\nUid:\t0\t0\t0\t0\n"), t + " uid\n" + status);
                assertTrue(status.contains("\nNoNewPrivs:\t0\n"), t + " no_new_privs");
                assertTrue(status.contains("\nSeccomp:\t0\n"), t + " seccomp");
                assertFalse(status.contains("\nCapEff:\t0000000000000000\n"), t + " capabilities");
            }
        }
        // No Landlock domain on this thread: it can still read what sandboxes could not.
        assertTrue(Files.isReadable(Path.of("/etc/passwd")));
    }
}
