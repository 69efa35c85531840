package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example probe agent ({@code examples/probe.yaml}) checks its sandbox
 * from the inside; every check must report ok, and every check must be there.
 * The host side confirms what the inside cannot see: the cgroup and the uid.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProbeIT {
    /** Every check probe.yaml makes, whatever the environment. */
    static final List<String> CHECKS = List.of("cgroup", "uid", "groups", "capabilities", "no_new_privs", "seccomp",
            "pid_namespace", "init_is_pid1", "no_host_processes", "session_leader", "hostname", "only_lo",
            "read_etc_passwd", "read_root_home", "write_usr", "dotdot_escape", "proc_root_escape",
            "proc_1_root_escape", "reopen_own_log", "landlock_proc_write", "symlink_escape_write", "hardlink_escape", "mknod", "write_workspace", "write_tmp",
            "tmp_size_limit", "tcp_connect", "fork_works", "rlimit_core", "rlimit_nofile");
    /** The denials of the default seccomp profile the probe checks on x86_64. */
    static final List<String> SECCOMP_CHECKS = List.of("unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
            "fsopen", "ptrace", "bpf", "keyctl", "add_key", "io_uring_setup", "userfaultfd", "perf_event_open",
            "personality", "kexec_load", "init_module", "reboot", "swapon", "open_by_handle_at", "process_vm_readv",
            "ioctl", "clone3");
    /** Controllers agentd puts every agent under (v1 hierarchies). */
    static final List<String> CONTROLLERS = List.of("memory", "pids", "cpu", "cpuacct");

    static AgentdHarness agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = AgentdHarness.start();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    static Set<String> expectedChecks(boolean killTarget) {
        Set<String> s = new TreeSet<>(CHECKS);
        if (killTarget) {
            s.add("kill_outside");
        }
        if ("amd64".equals(System.getProperty("os.arch")) || "x86_64".equals(System.getProperty("os.arch"))) {
            SECCOMP_CHECKS.forEach(c -> s.add("seccomp_" + c));
        }
        return s;
    }

    /** The probe's check lines by name; fails on a duplicate or a line that is not JSON where JSON is due. */
    static Map<String, JsonNode> checks(List<String> log) throws Exception {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String l : log) {
            if (!l.startsWith("{")) {
                continue;
            }
            JsonNode n = Rpc.JSON.readTree(l);
            String name = n.path("check").asText();
            assertFalse(out.containsKey(name), "check " + name + " reported twice:\n" + String.join("\n", log));
            out.put(name, n);
        }
        return out;
    }

    static void assertAllOk(String id, Set<String> expected, JsonNode rec, List<String> log) throws Exception {
        String all = String.join("\n", log);
        assertEquals("exited", rec.path("state").asText(), "record " + rec + "\n" + all);
        assertEquals(0, rec.path("exit_code").asInt(-1), "probe exit code; record " + rec + "\n" + all);
        Map<String, JsonNode> checks = checks(log);
        List<String> failed = new ArrayList<>();
        checks.forEach((k, v) -> {
            if (!v.path("ok").asBoolean(false)) {
                failed.add(k + " (" + v.path("detail").asText() + ")");
            }
        });
        assertTrue(failed.isEmpty(), "probe checks failed in agent " + id + ": " + failed + "\n" + all);
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(checks.keySet());
        assertTrue(missing.isEmpty(), "probe skipped checks " + missing + "\n" + all);
        assertEquals("probe done", log.get(log.size() - 1), "the probe must run to its end\n" + all);
    }

    @Test
    void every_probe_check_passes_and_none_is_skipped() throws Exception {
        // Another agent's host pid as the kill target: outside this sandbox.
        String other = agentd.spawnId(Manifests.sh(Manifests.name("probe-target"), "", "while :; do sleep 1; done"));
        long otherPid = agentd.status(other).get("pid").asLong();
        String name = Manifests.name("probe");
        String yaml = Manifests.variant(Manifests.probeYaml(), name,
                Map.of("PROBE_KILL_PID", Long.toString(otherPid), "EXPECT_HOSTNAME", name), null);
        JsonNode spawned = agentd.spawn(yaml);
        String id = spawned.get("id").asText();
        JsonNode rec = agentd.await(id);
        List<String> log = agentd.logs(id);
        assertAllOk(id, expectedChecks(true), rec, log);
        Map<String, JsonNode> checks = checks(log);
        assertEquals(name, checks.get("hostname").path("detail").asText(), "hostname is the agent's name");
        assertEquals(rec.get("uid").asText(), checks.get("uid").path("detail").asText(), "the uid agentd recorded");
        // The target is untouched.
        assertEquals("running", agentd.status(other).path("state").asText());
        assertTrue(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(9, agentd.killAndAwait(other).path("exit_signal").asInt());
    }

    @Test
    void probe_cannot_signal_agentd_itself() throws Exception {
        String name = Manifests.name("probe-jvm");
        long self = ProcessHandle.current().pid();
        String yaml = Manifests.variant(Manifests.probeYaml(), name,
                Map.of("PROBE_KILL_PID", Long.toString(self), "EXPECT_HOSTNAME", name), null);
        String id = agentd.spawnId(yaml);
        JsonNode rec = agentd.await(id);
        assertAllOk(id, expectedChecks(true), rec, agentd.logs(id));
    }

    /**
     * The probe, held at its end, seen from the host: the agent and its init
     * sit in {@code agent-<id>} in every hierarchy, the uid is from agentd's
     * range, and the agent is PID 2 of its own pid namespace. The probe's
     * first check saw itself at the root of its cgroup namespace, which is
     * rooted where the spawning thread stood when it unshared — before the
     * spawn — so the agent was in its cgroup from its first instruction.
     */
    @Test
    void agent_is_in_its_cgroup_with_a_uid_from_the_range() throws Exception {
        String name = Manifests.name("probe-held");
        String yaml = Manifests.variant(Manifests.probeYaml(), name, Map.of("EXPECT_HOSTNAME", name), """
                import time
                print("holding", flush=True)
                while not os.path.exists("/workspace/release"):
                    time.sleep(0.05)
                """);
        JsonNode rec = agentd.spawn(yaml);
        String id = rec.get("id").asText();
        agentd.awaitLog(id, "holding"::equals, Duration.ofSeconds(60));
        long pid = agentd.status(id).get("pid").asLong();
        int uid = rec.get("uid").asInt();
        assertTrue(uid >= agentd.config().uidMin() && uid <= agentd.config().uidMax(),
                "uid " + uid + " outside " + agentd.config().uidMin() + ".." + agentd.config().uidMax());

        Map<String, String> status = procStatus(pid);
        assertEquals(List.of(uid, uid, uid, uid), ints(status.get("Uid")), "real, effective, saved, fs uid");
        assertEquals(List.of(uid, uid, uid, uid), ints(status.get("Gid")), "gids");
        assertEquals("", status.get("Groups"), "no supplementary groups");
        assertEquals("0000000000000000", status.get("CapEff"));
        assertEquals("0000000000000000", status.get("CapBnd"));
        assertEquals("1", status.get("NoNewPrivs"));
        assertEquals("2", status.get("Seccomp"));
        List<Integer> nspid = ints(status.get("NSpid"));
        assertEquals(List.of((int) pid, 2), nspid, "host pid, then PID 2 in the agent's own pid namespace");

        String expectedSuffix = "/" + agentd.cgroupParent() + "/agent-" + id;
        Map<String, String> cg = procCgroup(pid);
        for (String c : CONTROLLERS) {
            assertNotNull(cg.get(c), "no " + c + " line in /proc/" + pid + "/cgroup: " + cg);
            assertTrue(cg.get(c).endsWith(expectedSuffix), c + " cgroup of the agent is " + cg.get(c)
                    + ", expected .../" + expectedSuffix);
        }
        // Everything in the agent's cgroup is the sandbox — its init (PID 1) and the
        // agent — and, where the kernel keeps exit statuses for pidfds, the keeper of its pidfd.
        Path pidsDir = CgroupDirs.agent(agentd.cgroupParent(), id, "pids").orElseThrow();
        List<Long> procs = CgroupDirs.procs(pidsDir);
        assertTrue(procs.contains(pid), "agent " + pid + " not in " + pidsDir + ": " + procs);
        assertEquals(2, CgroupDirs.sandboxOnly(procs).size(), "init and agent only: " + procs);
        assertEquals(dev.agentd.linux.PidfdInfo.exitSupported() ? 1 : 0, CgroupDirs.exitKeepers(procs).size(),
                "exit-status keepers: " + procs);
        for (long p : procs) {
            Map<String, String> s = procStatus(p);
            assertEquals(uid, ints(s.get("Uid")).get(0), "every process of the sandbox runs as the agent's uid");
            if (CgroupDirs.isExitKeeper(p)) {
                assertEquals("0000000000000000", s.get("CapEff"), "the keeper has no capabilities");
                assertEquals(1, ints(s.get("NoNewPrivs")).get(0), "the keeper has no_new_privs");
            } else if (p != pid) {
                assertEquals(1, ints(s.get("NSpid")).get(1), "the other one is PID 1, the init");
                assertTrue(Files.readString(Path.of("/proc/" + p + "/cmdline")).startsWith("/usr/bin/catatonit"));
            }
            Map<String, String> pcg = procCgroup(p);
            for (String c : CONTROLLERS) {
                assertTrue(pcg.get(c).endsWith(expectedSuffix), "process " + p + " " + c + ": " + pcg.get(c));
            }
        }
        // The limits of the manifest are on that cgroup.
        assertEquals("32", CgroupDirs.read(pidsDir.resolve("pids.max")));
        Path memDir = CgroupDirs.agent(agentd.cgroupParent(), id, "memory").orElseThrow();
        assertEquals(128L << 20, Long.parseLong(CgroupDirs.read(memDir.resolve("memory.limit_in_bytes"))));

        Files.writeString(agentd.workspace(id).resolve("release"), "");
        JsonNode done = agentd.await(id);
        List<String> log = agentd.logs(id);
        log.remove("holding");
        assertAllOk(id, expectedChecks(false), done, log);
        // ... and the cgroup is gone once the agent is.
        assertEquals(List.of(), CgroupDirs.agent(agentd.cgroupParent(), id));
    }

    /** The very first instruction of the agent's program already runs at the root of its own cgroup. */
    @Test
    void first_action_reads_its_own_cgroup() throws Exception {
        String id = agentd.spawnId(Manifests.of(Manifests.name("cgroup-first"), "", List.of("/bin/cat", "/proc/self/cgroup")));
        JsonNode rec = agentd.await(id);
        assertEquals(0, rec.path("exit_code").asInt(-1), rec.toString());
        List<String> log = agentd.logs(id);
        assertFalse(log.isEmpty());
        Map<String, String> byController = new HashMap<>();
        for (String l : log) {
            String[] f = l.split(":", 3);
            assertEquals("/", f[2], "every hierarchy at the namespace root: " + log);
            for (String c : f[1].split(",")) {
                byController.put(c, f[2]);
            }
        }
        assertTrue(byController.keySet().containsAll(CONTROLLERS), log.toString());
        JsonNode spawn = agentd.audit().await("spawn", id, Duration.ofSeconds(10));
        assertEquals("agent-" + id, spawn.path("details").path("cgroup").asText());
    }

    static Map<String, String> procStatus(long pid) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            int i = l.indexOf(':');
            m.put(l.substring(0, i), l.substring(i + 1).trim());
        }
        return m;
    }

    /** v1 controller (or name=...) -> path, from /proc/PID/cgroup. */
    static Map<String, String> procCgroup(long pid) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/cgroup"))) {
            String[] f = l.split(":", 3);
            for (String c : f[1].split(",")) {
                m.put(c, f[2]);
            }
        }
        return m;
    }

    static List<Integer> ints(String s) {
        List<Integer> out = new ArrayList<>();
        for (String t : s.trim().split("\\s+")) {
            if (!t.isEmpty()) {
                out.add(Integer.parseInt(t));
            }
        }
        return out;
    }
}
