package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    static final String TWO = "{\"agents\": [" + Fixtures.RUNNING + ", " + Fixtures.KILLED_9 + "]}";

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
    void list_printsAlignedTable() {
        agentd.result("agent.list", TWO);

        var r = Cli.run(agentd.socket(), "list");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                ID        NAME        STATE    PID    UPTIME/EXIT  RESTARTS
                a1b2c3d4  researcher  running  12345  3m12s        0
                0badf00d  crawler     exited   -      SIGKILL      0
                """, r.out());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void list_exitedWithCode_showsExitN() {
        agentd.result("agent.list", "{\"agents\": [" + Fixtures.EXITED_3 + "]}");

        var r = Cli.run(agentd.socket(), "list", "--all");

        assertTrue(r.out().contains("a1b2c3d4  researcher  exited  -    exit 3       1\n"), r.out());
    }

    @Test
    void list_all_asksForExitedAgents() {
        agentd.result("agent.list", "{\"agents\": []}");

        var r = Cli.run(agentd.socket(), "ls", "-a");

        assertEquals(0, r.exit());
        assertEquals(FakeAgentd.parse("{\"all\": true}"), agentd.onlyRequest().path("params"));
        assertEquals("ID  NAME  STATE  PID  UPTIME/EXIT  RESTARTS\n", r.out());
    }

    @Test
    void list_json_printsResultUnchanged() {
        agentd.result("agent.list", TWO);

        var r = Cli.run(agentd.socket(), "list", "--json");

        assertEquals(FakeAgentd.parse(TWO), FakeAgentd.parse(r.out()));
    }
}
