package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stop, kill, status and checkpoint with several ids, as {@code docker stop A B}. */
class SeveralIdsTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        // a1b2c3d4 answers, anything else is unknown.
        for (String method : List.of("agent.stop", "agent.kill", "agent.status")) {
            agentd.on(method, (req, reply) -> {
                String id = req.path("params").path("id").asText();
                if (id.equals("a1b2c3d4")) {
                    reply.result(FakeAgentd.parse(Fixtures.EXITED_3));
                } else {
                    reply.error(AdminException.NO_SUCH_AGENT, "no agent " + id, FakeAgentd.parse("{\"id\": \"" + id + "\"}"));
                }
            });
        }
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void stop_severalIds_reportsEachInOrder_andFailsWhenOneFailed() {
        var r = Cli.run(agentd.socket(), "stop", "a1b2c3d4", "nope", "a1b2c3d4");

        assertEquals(ExitCodes.forErrorCode(AdminException.NO_SUCH_AGENT), r.exit(), r::toString);
        assertEquals("a1b2c3d4: exited with code 3\na1b2c3d4: exited with code 3\n", r.out());
        assertEquals("agentctl: nope: no agent nope\n", r.err());
        assertEquals(3, agentd.requests().size());
    }

    @Test
    void stop_severalIds_allGood_exits0() {
        var r = Cli.run(agentd.socket(), "stop", "a1b2c3d4", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
    }

    @Test
    void kill_severalIds_json_isAnArrayWithTheErrorInPlace() {
        var r = Cli.run(agentd.socket(), "kill", "--json", "nope", "a1b2c3d4");

        JsonNode out = FakeAgentd.parse(r.out());
        assertTrue(out.isArray(), r.out());
        assertEquals(2, out.size());
        assertEquals("nope", out.get(0).path("id").asText());
        assertEquals(AdminException.NO_SUCH_AGENT, out.get(0).path("error").path("code").asInt());
        assertEquals(FakeAgentd.parse(Fixtures.EXITED_3), out.get(1));
        assertEquals("", r.err());
        assertEquals(ExitCodes.forErrorCode(AdminException.NO_SUCH_AGENT), r.exit());
    }

    @Test
    void status_severalIds_blocksSeparatedByABlankLine() {
        var r = Cli.run(agentd.socket(), "status", "a1b2c3d4", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        String one = Cli.run(agentd.socket(), "status", "a1b2c3d4").out();
        assertEquals(one + "\n" + one, r.out());
    }

    @Test
    void status_oneId_json_isTheRecordNotAnArray() {
        var r = Cli.run(agentd.socket(), "status", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse(Fixtures.EXITED_3), FakeAgentd.parse(r.out()));
    }

    @Test
    void checkpoint_severalIds_namesTheAgentOfEachCheckpoint() {
        agentd.on("checkpoint.create", (req, reply) -> reply.result(FakeAgentd.parse(
                "{\"id\": \"c0ffee00\", \"agent_id\": \"" + req.path("params").path("id").asText()
                        + "\", \"agent_name\": \"x\", \"created_at\": \"2026-11-22T00:00:00Z\", \"size_bytes\": 1}")));

        var r = Cli.run(agentd.socket(), "checkpoint", "--leave-running", "a1", "b2");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("a1: c0ffee00\nb2: c0ffee00\n", r.out());
    }
}
