package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * agentctl as a user runs it: the project's launcher script
 * ({@code agentctl/src/main/sh/agentctl}, which finds {@code agentctl.jar} in
 * {@code agentctl/target}) in its own JVM, against a real agentd.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentctlIT {
    static final Path LAUNCHER = Path.of(System.getProperty("user.dir"))
            .resolve("../agentctl/src/main/sh/agentctl").normalize();

    static AgentdHarness agentd;

    record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return Rpc.JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

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

    /** Runs the launcher with {@code args}, this JVM's java, no AGENTD_SOCKET. */
    static Result agentctl(String... args) throws Exception {
        return agentctlWithEnv(Map.of(), args);
    }

    /** As {@link #agentctl}, with {@code extra} added to the environment. */
    static Result agentctlWithEnv(Map<String, String> extra, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        Map<String, String> env = pb.environment();
        env.remove("AGENTD_SOCKET");
        env.remove("AGENTD_HOME");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.putAll(extra);
        Path out = Files.createTempFile("agentctl-out", ".txt");
        Path err = Files.createTempFile("agentctl-err", ".txt");
        try {
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                    new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("agentctl " + String.join(" ", args) + " did not end");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static String socket() {
        return agentd.socket().toString();
    }

    static String sleeper(String base) throws IOException {
        return agentd.spawnId(Manifests.sh(Manifests.name(base), "", "exec sleep 600"));
    }

    @Test
    void globalOptions_beforeTheSubcommand() throws Exception {
        String id = sleeper("global");

        Result r = agentctl("--socket", socket(), "--json", "list");

        assertEquals(0, r.exit(), r::toString);
        boolean found = false;
        for (JsonNode a : r.json().path("agents")) {
            found |= a.path("id").asText().equals(id);
        }
        assertTrue(found, r::toString);
        agentd.killAndAwait(id);
    }

    @Test
    void globalOptions_afterTheSubcommand_stillWork() throws Exception {
        Result r = agentctl("list", "--socket", socket(), "--json");

        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.json().has("agents"), r::toString);
    }

    @Test
    void stop_severalIds_stopsEach_andFailsForTheUnknownOne() throws Exception {
        String a = sleeper("stop-a");
        String b = sleeper("stop-b");

        Result r = agentctl("--socket", socket(), "stop", "--grace", "0", a, "no-such-agent", b);

        assertEquals(dev.agentd.agentctl.ExitCodes.NO_SUCH_AGENT, r.exit(), r::toString);
        assertTrue(r.out().startsWith(a + ": "), r::toString);
        assertTrue(r.out().contains("\n" + b + ": "), r::toString);
        assertTrue(r.err().contains("no-such-agent"), r::toString);
        for (String id : List.of(a, b)) {
            String state = agentd.status(id).path("state").asText();
            assertTrue(!state.equals("running") && !state.equals("starting"), id + " is " + state);
        }
    }

    @Test
    void status_severalIds_json_isAnArray() throws Exception {
        String a = sleeper("status-a");
        String b = sleeper("status-b");

        Result r = agentctl("--json", "--socket", socket(), "status", a, b);

        assertEquals(0, r.exit(), r::toString);
        JsonNode out = r.json();
        assertEquals(2, out.size(), r::toString);
        assertEquals(a, out.get(0).path("id").asText());
        assertEquals(b, out.get(1).path("id").asText());
        Result k = agentctl("kill", "--socket", socket(), a, b);
        assertEquals(0, k.exit(), k::toString);
        agentd.await(a);
        agentd.await(b);
    }

    @Test
    void secretSet_badName_isRefusedByAgentctl() throws Exception {
        Result r = agentctl("--socket", socket(), "secret", "set", "../../x");

        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("invalid secret name \"../../x\""), r::toString);
    }

    @Test
    void spawn_devZero_failsAtOnceNamingTheLimit() throws Exception {
        Result r = agentctl("--socket", socket(), "spawn", "/dev/zero");

        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("/dev/zero") && r.err().contains("1024 KiB"), r::toString);
    }

    @Test
    void classDataArchive_madeOnFirstUse_keepsStdoutClean_andIsUsedAfter() throws Exception {
        Path cache = Files.createTempDirectory("agentctl-cache");
        Map<String, String> env = Map.of("XDG_CACHE_HOME", cache.toString());

        Result first = agentctlWithEnv(env, "--socket", socket(), "--json", "list");
        assertEquals(0, first.exit(), first::toString);
        assertTrue(first.json().has("agents"), "stdout is the JSON alone, no JVM warnings: " + first);
        List<Path> archives;
        try (var s = Files.list(cache.resolve("agentd"))) {
            archives = s.toList();
        }
        assertEquals(1, archives.size(), archives::toString);
        assertTrue(archives.get(0).getFileName().toString().matches("agentctl-\\d+-\\d+\\.jsa"), archives::toString);

        Map<String, String> logged = Map.of("XDG_CACHE_HOME", cache.toString(), "AGENTCTL_JAVA_OPTS",
                "-Xlog:class+load=info:file=" + cache.resolve("classes.log"));
        Result second = agentctlWithEnv(logged, "--socket", socket(), "list");
        assertEquals(0, second.exit(), second::toString);
        String log = Files.readString(cache.resolve("classes.log"));
        // agentctl's own classes, on every JDK (JDK 17 archives picocli's Java 5 classes too, JDK 25 does not).
        assertTrue(log.contains("dev.agentd.agentctl.Main source: shared objects file"),
                "agentctl comes from the archive: " + log.lines().filter(l -> l.contains("agentctl.Main ")).toList());
    }

    @Test
    void classDataArchive_inACacheOthersCanWrite_isNeitherMadeNorUsed() throws Exception {
        Path cache = Files.createTempDirectory("agentctl-cache");
        Path dir = Files.createDirectory(cache.resolve("agentd"));
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));

        Result r = agentctlWithEnv(Map.of("XDG_CACHE_HOME", cache.toString()), "--socket", socket(), "list");

        assertEquals(0, r.exit(), r::toString);
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
    }

    static final Path CLIENT_DIR = Path.of(System.getProperty("user.dir"))
            .resolve("../toolcall-gateway/src/main/python").normalize();

    @Test
    void top_json_showsCpuMemoryPidsAndToolcalls() throws Exception {
        String script = """
                import sys, time
                sys.path.insert(0, sys.argv[1])
                from agentd_toolcall import ToolcallClient
                c = ToolcallClient()
                for i in range(5):
                    c.call_tool("echo", {"text": "x"})
                print("CALLED", flush=True)
                time.sleep(600)
                """;
        String yaml = Manifests.of(Manifests.name("top"), "filesystem:\n  read: [" + Manifests.quote(CLIENT_DIR + "/**")
                + "]\ncapabilities:\n  - {tool: echo}\n", List.of("/usr/bin/python3", "-c", script, CLIENT_DIR.toString()));
        String id = agentd.spawnId(yaml);
        agentd.awaitLog(id, l -> l.contains("CALLED"), java.time.Duration.ofSeconds(60));

        Result r = agentctl("--socket", socket(), "top", "--json", "-d", "0.3");

        assertEquals(0, r.exit(), r::toString);
        JsonNode mine = null;
        for (JsonNode a : r.json().path("agents")) {
            if (a.path("id").asText().equals(id)) {
                mine = a;
            }
        }
        assertTrue(mine != null, r::toString);
        assertEquals(5, mine.path("toolcalls").asLong(), r::toString);
        assertEquals(0.0, mine.path("toolcalls_per_second").asDouble(-1), r::toString);
        assertTrue(mine.path("pids").asLong() >= 1, r::toString);
        assertTrue(mine.path("memory_bytes").asLong() > 0, r::toString);
        assertTrue(mine.path("cpu_percent").isNumber(), r::toString);

        Result human = agentctl("--socket", socket(), "top", "-n", "2", "-d", "0.2");
        assertEquals(0, human.exit(), human::toString);
        assertTrue(human.out().startsWith("agentctl top - "), human::toString);
        assertEquals(2, human.out().split("ID +NAME +CPU% +MEM +PIDS +CALLS/S", -1).length - 1, human::toString);
        assertTrue(human.out().contains(id), human::toString);
        agentd.killAndAwait(id);
    }

    @Test
    void events_showLifecycle_andFollowPrintsNewOnesAsTheyHappen() throws Exception {
        String id = sleeper("events");
        Result past = agentctl("--socket", socket(), "--json", "events", "--agent", id);
        assertEquals(0, past.exit(), past::toString);
        assertTrue(past.out().lines().anyMatch(l -> l.contains("\"event\":\"spawn\"")), past::toString);

        // The follower prints the agent's past events first (its spawn): once
        // that line is out it has listed the log, and what comes after the
        // list reaches it through the follow.
        ProcessBuilder pb = new ProcessBuilder(LAUNCHER.toString(), "--socket", socket(), "events", "-f", "--json",
                "--agent", id);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process follow = pb.start();
        var lines = new java.io.BufferedReader(new java.io.InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8));
        java.util.concurrent.CompletableFuture<Boolean> sawExit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                boolean killed = false;
                for (String line; (line = lines.readLine()) != null; ) {
                    JsonNode ev = Rpc.JSON.readTree(line);
                    assertTrue(EVENTS.contains(ev.path("event").asText()), line);
                    if (!killed && ev.path("event").asText().equals("spawn")) {
                        agentd.killAndAwait(id);
                        killed = true;
                    }
                    if (killed && ev.path("event").asText().equals("exit")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            assertTrue(sawExit.get(90, TimeUnit.SECONDS), "the follower printed the agent's exit");
        } finally {
            follow.destroyForcibly();
            follow.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static final java.util.Set<String> EVENTS = java.util.Set.of("spawn", "restore", "spawn.refused",
            "restore.refused", "adopt", "restart", "stop", "kill", "exit", "checkpoint", "daemon.start",
            "broker.granted", "broker.delegated", "broker.revoked", "broker.approval_requested", "broker.approved",
            "broker.denied_approval");
}
