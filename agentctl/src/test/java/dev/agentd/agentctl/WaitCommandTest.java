package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WaitCommandTest {
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
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void wait_exitsWithAgentsExitCode() {
        agentd.result("agent.wait", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "wait", "a1b2c3d4");

        assertEquals(3, r.exit(), r::toString);
        assertEquals("a1b2c3d4: exited with code 3\n", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"timeout_seconds\": 0}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void wait_killed_exits128PlusSignal() {
        agentd.result("agent.wait", Fixtures.KILLED_9);

        var r = Cli.run(agentd.socket(), "wait", "--timeout", "30", "0badf00d");

        assertEquals(137, r.exit());
        assertEquals(30, agentd.onlyRequest().path("params").path("timeout_seconds").asInt());
    }

    @Test
    void wait_timeout_exits1WithAgentdsMessage() {
        agentd.error("agent.wait", AdminException.WRONG_STATE, "agent a1b2c3d4 still running after 30s",
                "{\"state\": \"running\"}");

        var r = Cli.run(agentd.socket(), "wait", "-t", "30", "a1b2c3d4");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit());
        assertEquals("agentctl: agent a1b2c3d4 still running after 30s\n", r.err());
    }

    @Test
    void wait_json_printsRecordAndStillExitsWithAgentsCode() {
        agentd.result("agent.wait", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "wait", "--json", "a1b2c3d4");

        assertEquals(3, r.exit());
        assertEquals(FakeAgentd.parse(Fixtures.EXITED_3), FakeAgentd.parse(r.out()));
    }
}
