package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code exec} tool: a command in a FRESH sandbox derived from the
 * caller's — its own pid and network namespaces (its command is PID 2 under
 * the init), its own /tmp, the caller's workspace and uid, no network — whose
 * output and exit status come back, and which a timeout kills.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExecIT {
    static Agentd agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    static JsonNode exec(Driver d, Map<String, Object> args) throws IOException {
        JsonNode r = d.callOk("exec", args);
        return r.path("structuredContent");
    }

    @Test
    void exec_runs_in_a_fresh_sandbox_with_the_callers_workspace() throws Exception {
        try (LocalHttp web = LocalHttp.start()) {
            web.route("/", q -> LocalHttp.Answer.ok("host"));
            Driver d = Driver.spawn(agentd, Driver.Spec.named("exec").cap("tool: exec"));
            // The caller: a file in its private /tmp, one in its workspace.
            JsonNode caller = d.py("""
                    open("/tmp/caller-only", "w").write("private")
                    open("/workspace/marker", "w").write("from the caller")
                    result = {"pid": os.getpid(), "uid": os.getuid(), "pidns": os.readlink("/proc/self/ns/pid"),
                              "netns": os.readlink("/proc/self/ns/net")}
                    """);
            String script = """
                    import errno, os, socket, json
                    def reach(port):
                        try:
                            socket.create_connection(("127.0.0.1", port), timeout=2).close()
                            return "reached"
                        except OSError as e:
                            return errno.errorcode.get(e.errno, str(e))
                    open("/workspace/from-exec", "w").write("written by exec")
                    print(json.dumps({"pid": os.getpid(), "uid": os.getuid(),
                        "pidns": os.readlink("/proc/self/ns/pid"), "netns": os.readlink("/proc/self/ns/net"),
                        "marker": open("/workspace/marker").read(), "tmp": os.path.exists("/tmp/caller-only"),
                        "host_port": reach(%d)}))
                    """.formatted(web.port());
            JsonNode r = exec(d, Map.of("argv", List.of("/usr/bin/python3", "-c", script)));
            assertEquals(0, r.path("exit_code").asInt(-1), r.toString());
            assertFalse(r.path("timed_out").asBoolean(), r.toString());
            JsonNode seen = dev.agentd.tests.support.Rpc.JSON.readTree(r.path("output").asText().trim());
            assertEquals(2, seen.path("pid").asInt(), "the command is PID 2 of its own pid namespace: " + seen);
            assertNotEquals(caller.path("pidns").asText(), seen.path("pidns").asText(), "a new pid namespace: " + seen);
            assertNotEquals(caller.path("netns").asText(), seen.path("netns").asText(), "a new network namespace: " + seen);
            assertEquals(caller.path("uid").asInt(), seen.path("uid").asInt(), "the caller's uid: " + seen);
            assertEquals("from the caller", seen.path("marker").asText(), "the caller's workspace: " + seen);
            assertFalse(seen.path("tmp").asBoolean(), "the caller's private /tmp is not shared: " + seen);
            assertNotEquals("reached", seen.path("host_port").asText(), "no network to the host: " + seen);
            assertTrue(web.requests().isEmpty());
            // What exec wrote in the workspace is the caller's to read.
            assertEquals("written by exec", d.py("result = open('/workspace/from-exec').read()").asText());

            // Exit status, merged output, stdin.
            r = exec(d, Map.of("argv", List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 7")));
            assertEquals(7, r.path("exit_code").asInt(), r.toString());
            assertTrue(r.path("signal").isNull(), r.toString());
            assertEquals("out\nerr\n", r.path("output").asText(), r.toString());
            r = exec(d, Map.of("argv", List.of("/bin/cat"), "stdin", "piped in"));
            assertEquals("piped in", r.path("output").asText(), r.toString());
            assertEquals(0, r.path("exit_code").asInt(), r.toString());
            // A program that does not exist: the tool says so.
            String why = d.callDenied("exec", Map.of("argv", List.of("no-such-program-here")));
            assertTrue(why.contains("not found"), why);
        }
    }

    @Test
    void a_timeout_kills_the_command() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("exec-timeout").cap("tool: exec"));
        JsonNode r = exec(d, Map.of("argv", List.of("/bin/sh", "-c", "echo started; sleep 120; echo never"),
                "timeout_seconds", 1));
        assertTrue(r.path("timed_out").asBoolean(), r.toString());
        assertTrue(r.path("exit_code").isNull(), r.toString());
        assertEquals(9, r.path("signal").asInt(), "SIGKILLed: " + r);
        assertEquals("started\n", r.path("output").asText(), r.toString());
        // Nothing left running of it: its cgroup is gone, and the caller goes on.
        assertTrue(execCgroups().isEmpty(), execCgroups().toString());
        assertEquals(0, exec(d, Map.of("argv", List.of("/bin/true"))).path("exit_code").asInt());
        assertTrue(agentd.auditRecords(d.id).stream().anyMatch(a -> a.path("event").asText().equals("exec")
                && a.path("details").path("timed_out").asBoolean()), agentd.auditRecords(d.id).toString());
    }

    /**
     * A client that cancels its exec call (notifications/cancelled) must not
     * leave the command running: the gateway interrupts the call, and its
     * sandbox must be killed and its cgroup removed as on a timeout. Repeated:
     * what goes wrong depends on how quickly the group freezes and empties.
     */
    @Test
    void a_cancelled_exec_leaves_nothing_running() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("exec-cancel").cap("tool: exec"));
        assertTrue(execCgroups().isEmpty(), execCgroups().toString());
        for (int round = 1; round <= 5; round++) {
            int n = d.send(Driver.cmd("op", "py", "code", """
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.connect("/run/agentd/toolcall.sock")
                    s.sendall(b'{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"exec","arguments":{"argv":["/bin/sh","-c","for i in $(seq 100); do sleep 120 & done; wait"]}}}\\n')
                    while not os.path.exists("/workspace/cancel-%d"):
                        time.sleep(0.01)
                    s.sendall(b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"x","reason":"changed my mind"}}\\n')
                    s.sendall(b'{"jsonrpc":"2.0","id":"p","method":"ping"}\\n')
                    buf = b""
                    while b"\\n" not in buf:
                        buf += s.recv(4096)
                    result = json.loads(buf.split(b"\\n")[0])
                    s.close()
                    """.formatted(round)));
            // The command runs: its sandbox's cgroup holds the init, the shell and its hundred sleeps.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (execPids().stream().distinct().count() < 102) {
                assertTrue(System.nanoTime() < deadline, "round " + round + ": the exec never started: " + d.log());
                Agentd.sleep(20);
            }
            Files.writeString(agentd.workspace(d.id).resolve("cancel-" + round), "now");
            JsonNode first = d.await(n);
            assertEquals("p", first.path("result").path("id").asText(),
                    "round " + round + ": the next answer is the ping's, none for the cancelled call: " + first);
            // Nothing of the exec is left (bounded wait: the kill is asynchronous).
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!execCgroups().isEmpty()) {
                assertTrue(System.nanoTime() < deadline, "round " + round + ": the cancelled exec is still there: "
                        + execCgroups() + " holding " + execPids().stream().distinct().count() + " processes, freezer "
                        + freezerStates());
                Agentd.sleep(50);
            }
        }
        assertEquals(5, agentd.auditRecords(d.id).stream().filter(a -> a.path("event").asText().equals("toolcall")
                && a.path("details").path("error").asText().startsWith("cancelled by client")).count());
    }

    static List<String> freezerStates() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : CgroupDirs.parents(agentd.cgroupParent())) {
            try (Stream<Path> s = Files.list(p)) {
                s.filter(x -> x.getFileName().toString().startsWith("exec-") && Files.exists(x.resolve("freezer.state")))
                        .forEach(x -> out.add(x.getFileName() + "=" + CgroupDirs.read(x.resolve("freezer.state"))));
            }
        }
        return out;
    }

    static List<Long> execPids() throws IOException {
        List<Long> out = new ArrayList<>();
        for (Path p : CgroupDirs.parents(agentd.cgroupParent())) {
            try (Stream<Path> s = Files.list(p)) {
                s.filter(x -> x.getFileName().toString().startsWith("exec-")).forEach(x -> out.addAll(CgroupDirs.procs(x)));
            }
        }
        return out;
    }

    /** exec-* cgroups below this daemon's parent, in any hierarchy. */
    static List<String> execCgroups() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : CgroupDirs.parents(agentd.cgroupParent())) {
            try (Stream<Path> s = Files.list(p)) {
                s.filter(Files::isDirectory).map(x -> x.getFileName().toString()).filter(n -> n.startsWith("exec-"))
                        .forEach(out::add);
            }
        }
        return out;
    }
}
