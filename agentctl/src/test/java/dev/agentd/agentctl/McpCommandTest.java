package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mcp list, mcp approve. */
class McpCommandTest {
    static final String SERVERS = """
            {"servers": [
              {"name": "calc", "state": "running", "problem": null, "tools": ["calc.add", "calc.mul"]},
              {"name": "search", "state": "quarantined", "problem": null, "tools": ["search.web"]},
              {"name": "git", "state": "failed", "problem": "exec /usr/bin/git-mcp: not found\\n\\u001b[2J",
               "tools": []}]}""";
    static final String APPROVED = """
            {"name": "calc", "state": "running", "problem": null, "tools": ["calc.add"]}""";

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
    void list_printsTableWithEscapedProblem() {
        agentd.result("mcp.list", SERVERS);

        var r = Cli.run(agentd.socket(), "mcp", "list");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                NAME    STATE        TOOLS              PROBLEM
                calc    running      calc.add,calc.mul  -
                search  quarantined  search.web         -
                git     failed       -                  exec /usr/bin/git-mcp: not found\\n\\u001b[2J
                """, r.out());
        assertEquals("mcp.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void list_none_printsHeaderOnly() {
        agentd.result("mcp.list", "{\"servers\": []}");

        var r = Cli.run(agentd.socket(), "mcp", "ls");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("NAME  STATE  TOOLS  PROBLEM\n", r.out());
    }

    @Test
    void list_json_printsResult() {
        agentd.result("mcp.list", SERVERS);

        var r = Cli.run(agentd.socket(), "mcp", "list", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(SERVERS), FakeAgentd.parse(r.out()));
    }

    @Test
    void list_olderAgentd_exits1WithHint() {
        agentd.error("mcp.list", AdminException.METHOD_NOT_FOUND, "method not found: mcp.list", null);

        var r = Cli.run(agentd.socket(), "mcp", "list");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit(), r::toString);
        assertEquals("agentctl: method not found: mcp.list (is agentd older than this agentctl?)\n", r.err());
    }

    @Test
    void approve_sendsNameAndPrintsPinnedCountAndState() {
        agentd.result("mcp.approve", APPROVED);

        var r = Cli.run(agentd.socket(), "mcp", "approve", "calc");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("approved calc: 1 tool(s) pinned\nstate: running\n", r.out());
        assertEquals("mcp.approve", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"name\": \"calc\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void approve_serverNotRunning_showsStateAndProblem() {
        agentd.result("mcp.approve", """
                {"name": "git", "state": "stopped", "problem": "ended\\u001b[2J", "tools": []}""");

        var r = Cli.run(agentd.socket(), "mcp", "approve", "git");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("approved git: 0 tool(s) pinned\nstate: stopped (ended\\u001b[2J)\n", r.out());
    }

    @Test
    void approve_json_printsTheServer() {
        agentd.result("mcp.approve", APPROVED);

        var r = Cli.run(agentd.socket(), "mcp", "approve", "--json", "calc");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(APPROVED), FakeAgentd.parse(r.out()));
    }

    @Test
    void approve_unknownServer_exits1() {
        agentd.error("mcp.approve", AdminException.INVALID_PARAMS,
                "no MCP server named \"nope\" in agentd's configuration", null);

        var r = Cli.run(agentd.socket(), "mcp", "approve", "nope");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit(), r::toString);
        assertEquals("agentctl: no MCP server named \"nope\" in agentd's configuration\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void approve_unknownServerJson_printsErrorObject() {
        agentd.error("mcp.approve", AdminException.INVALID_PARAMS, "no MCP server named \"nope\"", null);

        var r = Cli.run(agentd.socket(), "mcp", "approve", "--json", "nope");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit(), r::toString);
        assertEquals("agentd", FakeAgentd.parse(r.err()).path("error").path("kind").asText());
        assertEquals(AdminException.INVALID_PARAMS, FakeAgentd.parse(r.err()).path("error").path("code").asInt());
    }

    @Test
    void approve_withoutName_isUsageErrorAndSendsNothing() {
        var r = Cli.run(agentd.socket(), "mcp", "approve");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("Missing required parameter: 'NAME'"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void unreachable_exits3() throws IOException {
        agentd.close();

        var r = Cli.run(agentd.socket(), "mcp", "list");

        assertEquals(ExitCodes.UNREACHABLE, r.exit(), r::toString);
    }

    @Test
    void help_explainsPinningAndQuarantine() {
        var r = Cli.runWithEnv(Map.of(), "mcp", "--help");

        assertEquals(0, r.exit(), r::toString);
        String help = r.out().replaceAll("\\s+", " ");
        for (String s : new String[] {"agentd.yaml", "mcp_servers:", "pinned by its hash",
            "quarantines the whole server", "left out of agents' tool lists", "refused",
            "agentctl mcp approve NAME", "list", "approve"}) {
            assertTrue(help.contains(s), "mcp --help lacks \"" + s + "\":\n" + r.out());
        }
    }
}
