package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.linux.testing.Require;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conformance with an MCP client nobody here wrote: the official TypeScript SDK
 * ({@code @modelcontextprotocol/sdk}, pinned in tests/src/test/node/mcp-conformance)
 * drives a running agent's toolcall socket through the stdio bridge.
 *
 * <p>How the SDK reaches the socket: the gateway accepts only the agent's uid
 * and a pid in the agent's cgroup, and the sandbox has no Java, so the bridge
 * runs on the host as a process of the agent (see {@link Bridge}): a
 * {@code sh} wrapper joins the agent's cgroups, drops to its uid with
 * {@code setpriv}, and execs {@code java ... StdioBridge <host socket path>}.
 * The SDK spawns that wrapper as its stdio server.
 *
 * <p>Needs node (20+) and npm; runs {@code npm ci} when node_modules is missing
 * (network to the npm registry). CI names the feature {@code node} in
 * AGENTD_REQUIRE so a missing node fails instead of skipping.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class McpConformanceIT {
    static final Path NODE_PROJECT = Path.of(System.getProperty("user.dir")).resolve("src/test/node/mcp-conformance");

    static Agentd agentd;
    static Path bridgeCp;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        Require.feature("setpriv", Files.isExecutable(Bridge.SETPRIV), Bridge.SETPRIV + " missing (util-linux)");
        Require.feature("node", which("node") != null && which("npm") != null,
                "node and npm are not on PATH: apt-get install nodejs npm");
        npmCiIfNeeded();
        agentd = Agentd.inProcess();
        bridgeCp = Bridge.classPath();
    }

    @AfterAll
    static void stop() throws IOException {
        if (agentd != null) {
            agentd.close();
        }
        if (bridgeCp != null) {
            Dirs.deleteRecursively(Files.isDirectory(bridgeCp) ? bridgeCp : bridgeCp.getParent());
        }
    }

    @Test
    void the_official_typescript_sdk_speaks_to_an_agents_socket() throws Exception {
        // A server that takes its time: the call the client cancels.
        LocalHttp slow = LocalHttp.start();
        slow.route("/slow", q -> {
            Agentd.sleep(20_000);
            return LocalHttp.Answer.ok("too late");
        });
        String yaml = Manifests.sh(Manifests.name("mcp-sdk"), """
                capabilities:
                  - tool: echo
                  - tool: http_fetch
                  - net: 127.0.0.1:%d
                """.formatted(slow.port()), "while :; do sleep 1; done");
        JsonNode rec = agentd.spawn(yaml);
        String id = rec.get("id").asText();
        int uid = rec.get("uid").asInt();
        List<String> bridge = Bridge.asAgent(agentd.cgroupParent(), id, uid, bridgeCp, agentd.toolcallSocket(id));

        List<String> cmd = new ArrayList<>(List.of(which("node").toString(), "client.mjs"));
        cmd.addAll(bridge);
        Path err = itLogs().resolve("mcp-conformance-node-" + id + ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(NODE_PROJECT.toFile()).redirectError(err.toFile());
        pb.environment().put("SLOW_URL", slow.url("/slow"));
        Process node = pb.start();
        node.getOutputStream().close();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String l;
            while ((l = r.readLine()) != null) {
                lines.add(l);
                if (l.equals("WAITING_FOR_LIST_CHANGED")) {
                    // An admin adds a grant: the gateway tells the client its tool list changed.
                    agentd.call("caps.grant", Map.of("id", id, "kind", "tool", "value", "file_stat"));
                }
            }
        }
        assertTrue(node.waitFor(120, TimeUnit.SECONDS), "node client still running");
        slow.close();
        String stderr = Files.readString(err);
        assertFalse(lines.isEmpty(), "node printed nothing; stderr:\n" + stderr);
        JsonNode out = Rpc.JSON.readTree(lines.get(lines.size() - 1));
        String ctx = out.toPrettyString() + "\nstderr:\n" + stderr;
        System.out.println("mcp-conformance: node client steps (ms): " + out.path("ms"));
        assertFalse(out.has("failure"), ctx);

        // initialize
        assertEquals("agentd", out.path("serverVersion").path("name").asText(), ctx);
        assertEquals("2025-11-25", out.path("protocolVersion").asText(), "the SDK's latest revision is agreed: " + ctx);
        assertTrue(out.path("capabilities").path("tools").path("listChanged").asBoolean(), ctx);
        // tools/list: exactly the granted tools
        assertEquals(List.of("echo", "http_fetch"), strings(out.path("tools")), ctx);
        assertTrue(out.path("toolsHaveSchemas").asBoolean(), ctx);
        // tools/call
        assertFalse(out.path("echo").path("isError").asBoolean(true), ctx);
        assertEquals("hello from the MCP SDK", out.path("echo").path("content").path(0).path("text").asText(), ctx);
        assertEquals("hello from the MCP SDK", out.path("echo").path("structuredContent").path("text").asText(), ctx);
        // an ungranted tool: the spec's JSON-RPC error (-32602 Unknown tool)
        assertFalse(out.has("ungranted"), "an ungranted tool must not run: " + ctx);
        assertEquals(-32602, out.path("ungrantedError").path("code").asInt(), ctx);
        assertTrue(out.path("ungrantedError").path("message").asText().contains("Unknown tool: file_write"), ctx);
        // invalid arguments: -32602
        assertFalse(out.has("invalid"), ctx);
        assertEquals(-32602, out.path("invalidError").path("code").asInt(), ctx);
        assertTrue(out.path("invalidError").path("message").asText().contains("Invalid arguments for tool echo"), ctx);
        // cancellation: the SDK gave up on the call (its own abort error), the server kept serving
        assertFalse(out.has("cancelled"), "the cancelled call must not be answered: " + ctx);
        assertTrue(out.has("cancelledError"), ctx);
        // ping, before and after
        assertTrue(out.path("ping").asBoolean(), ctx);
        assertTrue(out.path("pingAfter").asBoolean(), ctx);
        // notifications/tools/list_changed after caps.grant, and the new list
        assertTrue(out.path("listChanged").asBoolean(), "no notifications/tools/list_changed: " + ctx);
        assertEquals(List.of("echo", "file_stat", "http_fetch"), strings(out.path("toolsAfter")), ctx);

        // What the gateway recorded: each call, the cancelled one as such.
        List<JsonNode> calls = agentd.auditRecords(id).stream().filter(a -> a.path("event").asText().equals("toolcall"))
                .map(a -> a.path("details")).toList();
        assertTrue(calls.stream().anyMatch(d -> d.path("tool").asText().equals("echo")
                && d.path("decision").asText().equals("allowed")), calls.toString());
        assertTrue(calls.stream().anyMatch(d -> d.path("tool").asText().equals("file_write")
                && d.path("decision").asText().equals("unknown tool")), calls.toString());
        assertTrue(calls.stream().anyMatch(d -> d.path("tool").asText().equals("http_fetch")
                && d.path("error").asText().startsWith("cancelled by client")), calls.toString());
        // No refused connection: the bridge was the agent as far as the gateway could tell.
        assertTrue(agentd.auditRecords(id).stream().noneMatch(a -> a.path("event").asText().equals("toolcall.refused")),
                agentd.auditRecords(id).toString());
    }

    /**
     * The control for the test above: the same bridge, as the agent's uid but
     * outside its cgroup, or inside nothing as root, is closed without a word.
     */
    @Test
    void the_bridge_is_refused_unless_it_runs_as_the_agent() throws Exception {
        JsonNode rec = agentd.spawn(Manifests.sh(Manifests.name("mcp-refused"), "capabilities:\n  - tool: echo\n",
                "while :; do sleep 1; done"));
        String id = rec.get("id").asText();
        int uid = rec.get("uid").asInt();
        Path sock = agentd.toolcallSocket(id);

        // Right uid, wrong cgroup: the pid check refuses it.
        assertRefused(Bridge.asUid(uid, Bridge.javaCommand(bridgeCp, sock)));
        // Root (wrong uid): the socket's mode lets root connect; the uid check refuses it.
        assertRefused(Bridge.javaCommand(bridgeCp, sock));
        List<String> reasons = agentd.auditRecords(id).stream()
                .filter(a -> a.path("event").asText().equals("toolcall.refused"))
                .map(a -> a.path("details").path("reason").asText()).toList();
        assertTrue(reasons.stream().anyMatch(r -> r.contains("is not in the agent's cgroup")), reasons.toString());
        assertTrue(reasons.stream().anyMatch(r -> r.contains("is not the agent's uid")), reasons.toString());

        // And as the agent it is served.
        Process p = new ProcessBuilder(Bridge.asAgent(agentd.cgroupParent(), id, uid, bridgeCp, sock)).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n", answer, new String(p.getErrorStream().readAllBytes()));
        assertEquals(0, p.exitValue(), "stdin ended first: a clean session end");
    }

    /** Sends a ping through the bridge and keeps stdin open: the gateway must close without answering. */
    private static void assertRefused(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).start();
        OutputStream in = p.getOutputStream();
        in.write("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        String answer = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bridge still running");
        in.close();
        assertEquals("", answer, "a stranger is told nothing: " + command);
        assertEquals(1, p.exitValue(), "the gateway closed first: " + new String(p.getErrorStream().readAllBytes()));
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }

    static Path itLogs() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("user.dir")).resolve("target").resolve("it-logs"));
    }

    static Path which(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : List.of("/usr/local/bin", "/usr/bin")) {
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** {@code npm ci} from the committed package-lock.json when node_modules is missing. */
    static void npmCiIfNeeded() throws Exception {
        if (Files.isDirectory(NODE_PROJECT.resolve("node_modules/@modelcontextprotocol/sdk"))) {
            return;
        }
        Path log = itLogs().resolve("mcp-conformance-npm-ci.log");
        Process p = new ProcessBuilder(which("npm").toString(), "ci", "--no-audit", "--no-fund")
                .directory(NODE_PROJECT.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        if (!p.waitFor(Duration.ofMinutes(4).toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("npm ci did not finish within 4 minutes:\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), "npm ci failed:\n" + Files.readString(log));
        try (Stream<Path> s = Files.list(NODE_PROJECT.resolve("node_modules"))) {
            assertTrue(s.findAny().isPresent(), "npm ci installed nothing");
        }
    }
}
