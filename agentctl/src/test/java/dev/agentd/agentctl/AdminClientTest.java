package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminClientTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
    }

    @Test
    void call_sendsJsonRpcEnvelopes_withIncreasingIds() throws Exception {
        agentd.result("agent.status", Fixtures.RUNNING);
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            c.status("a1b2c3d4");
            c.status("researcher");
        }
        List<JsonNode> reqs = agentd.requests();
        assertEquals(FakeAgentd.parse("""
                {"jsonrpc": "2.0", "id": 1, "method": "agent.status", "params": {"id": "a1b2c3d4"}}"""), reqs.get(0));
        assertEquals(2, reqs.get(1).path("id").asInt());
    }

    @Test
    void spawn_multiLineManifest_travelsIntact() throws Exception {
        agentd.result("agent.spawn", Fixtures.RUNNING);
        String yaml = "name: x\n# \"quoted\" and unicode: é\n\tcommand: [a]\n";
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            Agent a = c.spawn(yaml, Path.of("/tmp/x.yaml"));
            assertEquals("a1b2c3d4", a.id());
        }
        assertEquals(yaml, agentd.onlyRequest().path("params").path("manifest").asText());
    }

    @Test
    void call_errorResponse_throwsAdminExceptionWithCodeMessageAndData() throws Exception {
        agentd.error("agent.status", -32001, "no such agent: zzz", "{\"id\": \"zzz\"}");
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            AdminException e = assertThrows(AdminException.class, () -> c.status("zzz"));
            assertEquals(-32001, e.code());
            assertEquals("no such agent: zzz", e.getMessage());
            assertEquals("zzz", e.data().path("id").asText());
            assertEquals(ExitCodes.NO_SUCH_AGENT, e.exitCode());
        }
    }

    @Test
    void call_errorWithoutData_hasNullNodeData() throws Exception {
        agentd.error("agent.status", -32099, "boom", null);
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            AdminException e = assertThrows(AdminException.class, () -> c.status("x"));
            assertTrue(e.data().isNull());
        }
    }

    @Test
    void follow_deliversLinesInOrderThenTheResult() throws Exception {
        agentd.follow("agent.logs", List.of("1", "2", "3"), "{\"lines\": [], \"eof\": true}");
        List<String> seen = new ArrayList<>();
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            LogsResult r = c.follow("a1b2c3d4", 5, seen::add);
            assertTrue(r.eof());
        }
        assertEquals(List.of("1", "2", "3"), seen);
    }

    @Test
    void call_otherNotifications_areIgnoredByFollow() throws Exception {
        agentd.on("agent.logs", (req, reply) -> {
            reply.notify("daemon.shutdown", FakeAgentd.parse("{}"));
            reply.notify("agent.log", FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"line\": \"x\"}"));
            reply.result(FakeAgentd.parse("{\"lines\": [], \"eof\": true}"));
        });
        List<String> seen = new ArrayList<>();
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            c.follow("a1b2c3d4", null, seen::add);
        }
        assertEquals(List.of("x"), seen);
    }

    @Test
    void call_responseWithWrongId_isProtocolError() throws Exception {
        agentd.on("agent.status", (req, reply) ->
                reply.raw("{\"jsonrpc\": \"2.0\", \"id\": 99, \"result\": {}}"));
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            IOException e = assertThrows(IOException.class, () -> c.status("x"));
            assertTrue(e.getMessage().contains("protocol out of step"), e.getMessage());
        }
    }

    @Test
    void call_daemonHangsUp_throwsUnreachable() throws Exception {
        agentd.on("agent.status", (req, reply) -> {
            throw new IOException("hang up");
        });
        try (AdminClient c = AdminClient.connect(agentd.socket())) {
            AgentdUnreachableException e = assertThrows(AgentdUnreachableException.class, () -> c.status("x"));
            assertEquals(agentd.socket(), e.socket());
        }
    }

    @Test
    void connect_missingSocket_namesSocketAndRemedy() {
        Path missing = dir.resolve("nope.sock");
        AgentdUnreachableException e = assertThrows(AgentdUnreachableException.class,
                () -> AdminClient.connect(missing));
        assertEquals("cannot connect to agentd at " + missing
                + ": No such file or directory — is agentd running? (set --socket or AGENTD_SOCKET)", e.getMessage());
    }

    @Test
    void resolveSocket_optionThenEnvironmentThenDefault() {
        Path opt = Path.of("/x/opt.sock");
        assertEquals(opt, AdminClient.resolveSocket(opt, Map.of("AGENTD_SOCKET", "/x/env.sock")));
        assertEquals(Path.of("/x/env.sock"), AdminClient.resolveSocket(null, Map.of("AGENTD_SOCKET", "/x/env.sock")));
        assertEquals(Path.of("/run/agentd/agentd.sock"), AdminClient.resolveSocket(null, Map.of("AGENTD_SOCKET", "")));
        assertEquals(Path.of("/run/agentd/agentd.sock"), AdminClient.resolveSocket(null, Map.of()));
    }
}
