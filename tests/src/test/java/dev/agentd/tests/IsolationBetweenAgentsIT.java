package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Prober;
import dev.agentd.tests.support.Rpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two agents running side by side cannot reach each other: not each other's
 * files, processes, signals or sockets, nor agentd's admin socket. Each one
 * sets up its own listeners and files, then probes the other with facts the
 * host gives it (host paths, host pids).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IsolationBetweenAgentsIT {
    /** Each agent: listeners and marker files, "ready", wait for its ops, run them, stay alive. */
    static final String AGENT = """
            import json, os, socket, sys, time
            me = os.environ["ME"]
            abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            abstract.bind("\\0agentd-it-" + me)
            abstract.listen(8)
            named = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            named.bind("/workspace/agent.sock")
            named.listen(8)
            for d in ("/workspace", "/tmp"):
                with open(d + "/marker", "w") as f:
                    f.write(me)
            print("ready", flush=True)
            while not os.path.exists("/workspace/ops.json"):
                time.sleep(0.02)
            sys.argv = ["prober"] + json.load(open("/workspace/ops.json"))
            """;

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

    record Agent(String me, String id, long pid, int uid, List<Long> cgroupProcs, Path workspace) {}

    static Agent facts(String me, String id) throws Exception {
        JsonNode rec = agentd.status(id);
        assertEquals("running", rec.path("state").asText(), rec.toString());
        Path pidsDir = CgroupDirs.agent(agentd.cgroupParent(), id, "pids").orElseThrow();
        return new Agent(me, id, rec.get("pid").asLong(), rec.get("uid").asInt(), CgroupDirs.sandboxOnly(CgroupDirs.procs(pidsDir)),
                agentd.workspace(id));
    }

    /** What {@code self} tries against {@code other}. */
    static List<String> ops(Agent self, Agent other) {
        List<String> ops = new ArrayList<>(List.of(
                "read " + other.workspace() + "/marker",
                "exists " + other.workspace(),
                "exists " + agentd.root(),
                "read /workspace/marker",
                "read /tmp/marker",
                "procs",
                "read /proc/" + other.pid() + "/status",
                "read /proc/" + other.pid() + "/environ",
                "kill0 " + other.pid(),
                "term " + other.pid(),
                "kill0 " + ProcessHandle.current().pid(),
                "unix @agentd-it-" + other.me(),
                "unix " + other.workspace() + "/agent.sock",
                "unix " + agentd.socket(),
                "unix @agentd-it-" + self.me(),
                "unix /workspace/agent.sock",
                "uid"));
        for (long p : other.cgroupProcs()) {
            ops.add("kill0 " + p);
        }
        return ops;
    }

    static void giveOps(Agent a, List<String> ops) throws Exception {
        Path tmp = a.workspace().resolve("ops.json.tmp");
        Files.writeString(tmp, Rpc.JSON.writeValueAsString(ops));
        Files.move(tmp, a.workspace().resolve("ops.json"), StandardCopyOption.ATOMIC_MOVE);
    }

    static void refused(Map<String, JsonNode> r, String op, String... errnos) {
        JsonNode n = r.get(op);
        assertTrue(n != null && Set.of(errnos).contains(n.path("result").asText()),
                op + " should be refused with one of " + List.of(errnos) + ": " + n);
    }

    static JsonNode ok(Map<String, JsonNode> r, String op) {
        JsonNode n = r.get(op);
        assertTrue(n != null && "ok".equals(n.path("result").asText()), op + " should work: " + n);
        return n.get("value");
    }

    @Test
    void two_agents_cannot_reach_each_other() throws Exception {
        String script = AGENT + Prober.SCRIPT + "\nwhile True:\n    time.sleep(1)\n";
        String a = agentd.spawnId(Manifests.python(Manifests.name("iso-a"), "env:\n  ME: a\n", script, List.of()));
        String b = agentd.spawnId(Manifests.python(Manifests.name("iso-b"), "env:\n  ME: b\n", script, List.of()));
        agentd.awaitLog(a, "ready"::equals, Duration.ofSeconds(30));
        agentd.awaitLog(b, "ready"::equals, Duration.ofSeconds(30));
        Agent fa = facts("a", a);
        Agent fb = facts("b", b);
        assertNotEquals(fa.uid(), fb.uid(), "every agent has its own uid");
        assertEquals(2, fa.cgroupProcs().size(), "init and agent: " + fa.cgroupProcs());
        assertEquals(2, fb.cgroupProcs().size(), "init and agent: " + fb.cgroupProcs());

        giveOps(fa, ops(fa, fb));
        giveOps(fb, ops(fb, fa));
        agentd.awaitLog(a, "prober done"::equals, Duration.ofSeconds(30));
        agentd.awaitLog(b, "prober done"::equals, Duration.ofSeconds(30));

        for (Agent[] pair : new Agent[][] {{fa, fb}, {fb, fa}}) {
            Agent self = pair[0];
            Agent other = pair[1];
            Map<String, JsonNode> r = Prober.results(agentd.logs(self.id()));
            String who = "agent " + self.me() + " probing " + other.me() + ": ";
            refused(r, "read " + other.workspace() + "/marker", "ENOENT");
            assertFalse(ok(r, "exists " + other.workspace()).asBoolean(), who + "the other's workspace is not in the view");
            assertFalse(ok(r, "exists " + agentd.root()).asBoolean(), who + "agentd's state is not in the view");
            // Same sandbox paths, different contents: each sees its own.
            assertEquals(self.me(), ok(r, "read /workspace/marker").asText(), who + "/workspace is its own");
            assertEquals(self.me(), ok(r, "read /tmp/marker").asText(), who + "/tmp is its own");

            Set<Long> visible = new HashSet<>();
            ok(r, "procs").forEach(n -> visible.add(n.asLong()));
            assertFalse(visible.contains(other.pid()), who + "sees the other's pid in /proc: " + visible);
            assertFalse(visible.contains(ProcessHandle.current().pid()), who + "sees agentd in /proc: " + visible);
            // /proc is the sandbox's own pid namespace's: pids as the agent numbers
            // them, no more of them than its sandbox has, itself (PID 2) among them.
            assertTrue(visible.contains(2L) && visible.size() <= self.cgroupProcs().size(),
                    who + "/proc shows " + visible + ", not its own sandbox " + self.cgroupProcs());
            refused(r, "read /proc/" + other.pid() + "/status", "ENOENT");
            refused(r, "read /proc/" + other.pid() + "/environ", "ENOENT");

            refused(r, "kill0 " + other.pid(), "ESRCH", "EPERM");
            refused(r, "term " + other.pid(), "ESRCH", "EPERM");
            refused(r, "kill0 " + ProcessHandle.current().pid(), "ESRCH", "EPERM");
            for (long p : other.cgroupProcs()) {
                refused(r, "kill0 " + p, "ESRCH", "EPERM");
            }

            // Sockets: the other's abstract and named sockets and the admin socket are out of reach...
            refused(r, "unix @agentd-it-" + other.me(), "ECONNREFUSED", "EPERM", "EACCES", "ENOENT");
            refused(r, "unix " + other.workspace() + "/agent.sock", "ENOENT");
            refused(r, "unix " + agentd.socket(), "ENOENT");
            // ...while its own work, so the refusals above are not a broken probe.
            ok(r, "unix @agentd-it-" + self.me());
            ok(r, "unix /workspace/agent.sock");
            assertEquals(self.uid(), ok(r, "uid").asInt());
        }

        // Both are still alive and untouched after the other's attempts.
        for (Agent x : List.of(fa, fb)) {
            assertEquals("running", agentd.status(x.id()).path("state").asText());
            assertTrue(ProcessHandle.of(x.pid()).map(ProcessHandle::isAlive).orElse(false), x.toString());
            assertEquals(x.me(), Files.readString(x.workspace().resolve("marker")));
        }
        assertEquals(9, agentd.killAndAwait(a).path("exit_signal").asInt());
        assertEquals(9, agentd.killAndAwait(b).path("exit_signal").asInt());
    }
}
