package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StopCommandTest {
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
    void stop_defaultGrace_sends10AndSaysHowItEnded() {
        agentd.result("agent.stop", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "stop", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("a1b2c3d4: exited with code 3\n", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"grace_seconds\": 10}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void stop_grace_sendsIt() {
        agentd.result("agent.stop", Fixtures.KILLED_9);

        var r = Cli.run(agentd.socket(), "stop", "--grace", "0", "crawler");

        assertEquals("0badf00d: killed by SIGKILL (9)\n", r.out());
        assertEquals(0, agentd.onlyRequest().path("params").path("grace_seconds").asInt(-1));
    }

    @Test
    void stop_wrongState_exits1() {
        agentd.error("agent.stop", AdminException.WRONG_STATE, "agent a1b2c3d4 has already exited",
                "{\"state\": \"exited\"}");

        var r = Cli.run(agentd.socket(), "stop", "a1b2c3d4");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit());
        assertEquals("agentctl: agent a1b2c3d4 has already exited\n", r.err());
    }

    @Test
    void stop_json_printsRecord() {
        agentd.result("agent.stop", Fixtures.EXITED_3);

        var r = Cli.run(agentd.socket(), "stop", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse(Fixtures.EXITED_3), FakeAgentd.parse(r.out()));
    }
}
