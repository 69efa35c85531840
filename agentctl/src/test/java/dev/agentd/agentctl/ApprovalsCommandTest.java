package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** approvals, approve, deny. */
class ApprovalsCommandTest {
    static final String PENDING = """
            {"approvals": [
              {"id": "3f2a9c01", "agent": "a1b2c3d4", "tool": "shell", "preview": "rm -rf /srv/cache\\n# then\\u001b[2J",
               "args_sha256": "e3b0", "created_at": "2026-11-22T00:02:00.120Z",
               "expires_at": "2026-11-22T00:08:00.120Z", "state": "pending"},
              {"id": "77", "agent": "0badf00d", "tool": "fetch", "preview": "GET https://example.org",
               "args_sha256": "ffff", "created_at": "2026-11-22T00:03:00.120Z",
               "expires_at": "2026-11-22T00:03:00.120Z", "state": "pending"}]}""";

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
    void approvals_printsTableWithEscapedPreview() {
        agentd.result("approval.list", PENDING);

        var r = Cli.run(agentd.socket(), "approvals");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                ID        AGENT     TOOL   AGE    EXPIRES   PREVIEW
                3f2a9c01  a1b2c3d4  shell  1m12s  in 4m48s  rm -rf /srv/cache\\n# then\\u001b[2J
                77        0badf00d  fetch  12s    expired   GET https://example.org
                """, r.out());
        assertEquals("approval.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void approvals_none_printsHeaderOnly() {
        agentd.result("approval.list", "{\"approvals\": []}");

        var r = Cli.run(agentd.socket(), "approvals");

        assertEquals("ID  AGENT  TOOL  AGE  EXPIRES  PREVIEW\n", r.out());
    }

    @Test
    void approvals_json_printsResult() {
        agentd.result("approval.list", PENDING);

        var r = Cli.run(agentd.socket(), "approvals", "--json");

        assertEquals(FakeAgentd.parse(PENDING), FakeAgentd.parse(r.out()));
    }

    @Test
    void approve_sendsApproveAndPrintsDecision() {
        agentd.result("approval.approve", """
                {"id": "3f2a9c01", "agent": "a1b2c3d4", "tool": "shell", "state": "approved"}""");

        var r = Cli.run(agentd.socket(), "approve", "3f2a9c01");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("approval 3f2a9c01: approved (shell for a1b2c3d4)\n", r.out());
        assertEquals("approval.approve", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"id\": \"3f2a9c01\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void deny_sendsDenyAndPrintsDecision() {
        agentd.result("approval.deny", """
                {"id": "3f2a9c01", "agent": "a1b2c3d4", "tool": "shell", "state": "denied"}""");

        var r = Cli.run(agentd.socket(), "deny", "3f2a9c01");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("approval 3f2a9c01: denied (shell for a1b2c3d4)\n", r.out());
        assertEquals("approval.deny", agentd.onlyRequest().path("method").asText());
    }

    @Test
    void approve_json_printsTheApproval() {
        String result = "{\"id\": \"3f2a9c01\", \"agent\": \"a1b2c3d4\", \"tool\": \"shell\", \"state\": \"approved\"}";
        agentd.result("approval.approve", result);

        var r = Cli.run(agentd.socket(), "approve", "--json", "3f2a9c01");

        assertEquals(FakeAgentd.parse(result), FakeAgentd.parse(r.out()));
    }

    @Test
    void approve_unknownOrExpired_exits1() {
        agentd.error("approval.approve", AdminException.WRONG_STATE, "approval 77 expired", "{\"state\": \"expired\"}");

        var r = Cli.run(agentd.socket(), "approve", "77");

        assertEquals(1, r.exit(), r::toString);
        assertEquals("agentctl: approval 77 expired\n", r.err());
    }
}
