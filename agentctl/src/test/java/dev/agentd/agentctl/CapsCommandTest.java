package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** caps, grant and revoke. */
class CapsCommandTest {
    static final String CAPS = """
            {"grants": [
              {"id": 7, "kind": "tool", "value": "echo", "max_invocations": 10, "used": 3, "rate": "10/m",
               "expires_at": "2026-11-23T00:03:12.120Z", "parent_grant_id": null, "revoked": false},
              {"id": 9, "kind": "file_read", "value": "/srv/data/**", "max_invocations": null, "used": 0,
               "rate": null, "expires_at": null, "parent_grant_id": 4, "revoked": true}],
             "on_behalf_of": ["agent:a1b2c3d4", "admin:0"]}""";
    static final String GRANT = """
            {"id": 12, "kind": "tool", "value": "echo", "max_invocations": 10, "used": 0, "rate": "5/m",
             "expires_at": "2026-11-23T00:03:12.120Z", "parent_grant_id": null, "revoked": false}""";

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
    void caps_printsTableAndOnBehalfOf() {
        agentd.result("caps.list", CAPS);

        var r = Cli.run(agentd.socket(), "caps", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                ID  KIND       VALUE         USED/MAX  RATE  EXPIRES   PARENT  REVOKED
                7   tool       echo          3/10      10/m  in 1d00h  -       no
                9   file_read  /srv/data/**  0/-       -     -         4       yes
                on behalf of: agent:a1b2c3d4 \u2190 admin:0
                """, r.out());
        assertEquals("caps.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void caps_json_printsResult() {
        agentd.result("caps.list", CAPS);

        var r = Cli.run(agentd.socket(), "caps", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse(CAPS), FakeAgentd.parse(r.out()));
    }

    @Test
    void caps_noSuchAgent_exits4() {
        agentd.error("caps.list", AdminException.NO_SUCH_AGENT, "no such agent: zzz", "{\"id\": \"zzz\"}");

        assertEquals(ExitCodes.NO_SUCH_AGENT, Cli.run(agentd.socket(), "caps", "zzz").exit());
    }

    @Test
    void grant_minimal_sendsKindAndValueOnly() {
        agentd.result("caps.grant", GRANT);

        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "tool", "echo");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("caps.grant", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"kind\": \"tool\", \"value\": \"echo\"}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void grant_limits_areSentAndDurationBecomesInstant() {
        agentd.result("caps.grant", GRANT);

        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "tool", "echo", "--max-invocations", "10",
                "--rate", "5/m", "--expires", "24h");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse("""
                {"id": "a1b2c3d4", "kind": "tool", "value": "echo", "max_invocations": 10, "rate": "5/m",
                 "expires": "2026-11-23T00:03:12.120Z"}"""), agentd.onlyRequest().path("params"));
        assertEquals("grant 12: tool echo for a1b2c3d4 (max 10 invocations, rate 5/m, expires in 1d00h)\n",
                r.out());
    }

    @Test
    void grant_expiresInstant_isSentNormalized() {
        agentd.result("caps.grant", GRANT);

        Cli.run(agentd.socket(), "grant", "a1b2c3d4", "net", "api.github.com:443",
                "--expires", "2026-12-01T01:00:00+01:00");

        assertEquals("2026-12-01T00:00:00Z", agentd.onlyRequest().path("params").path("expires").asText());
    }

    @ParameterizedTest
    @CsvSource({"TOOL, tool", "File_Read, file_read", "file_write, file_write", "net, net", "spawn, spawn",
        "secret, secret", "llm, llm"})
    void grant_kind_acceptsEveryKindInAnyCase(String given, String sent) {
        agentd.result("caps.grant", GRANT);

        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", given, "x");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(sent, agentd.onlyRequest().path("params").path("kind").asText());
    }

    @Test
    void grant_unknownKind_isClearUsageError() {
        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "shell", "rm");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("unknown grant kind \"shell\": expected one of tool, file_read, file_write, "
                + "net, spawn, secret, llm"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10", "10/x", "0/m", "/m", "10/0s", "ten/m", "10/m/s"})
    void grant_badRate_isUsageErrorAndSendsNothing(String rate) {
        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "tool", "echo", "--rate", rate);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("invalid rate"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"10/m, 10/m", "100/h, 100/h", "3/10s, 3/10s", "20/500ms, 20/500ms", "1/d, 1/d", "'5 / m', 5/m"})
    void grant_goodRate_isSent(String rate, String sent) {
        agentd.result("caps.grant", GRANT);

        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "tool", "echo", "--rate", rate);

        assertEquals(0, r.exit(), r::toString);
        assertEquals(sent, agentd.onlyRequest().path("params").path("rate").asText());
    }

    @ParameterizedTest
    @CsvSource({"--max-invocations, 0, --max-invocations must be 1 or more",
        "--expires, 2020-01-01T00:00:00Z, is not in the future",
        "--expires, 0s, invalid --expires",
        "--expires, soon, invalid --expires"})
    void grant_badLimit_isUsageErrorAndSendsNothing(String option, String value, String message) {
        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "tool", "echo", option, value);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains(message), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void grant_json_printsTheGrant() {
        agentd.result("caps.grant", GRANT);

        var r = Cli.run(agentd.socket(), "grant", "--json", "a1b2c3d4", "tool", "echo");

        assertEquals(FakeAgentd.parse(GRANT), FakeAgentd.parse(r.out()));
    }

    @Test
    void grant_refused_exits1() {
        agentd.error("caps.grant", AdminException.INVALID_PARAMS, "file_read: expected an absolute path", null);

        var r = Cli.run(agentd.socket(), "grant", "a1b2c3d4", "file_read", "data");

        assertEquals(1, r.exit(), r::toString);
        assertEquals("agentctl: file_read: expected an absolute path\n", r.err());
    }

    @Test
    void revoke_printsRevokedGrantsAndAgents() {
        agentd.result("caps.revoke", "{\"revoked\": [7, 9], \"agents\": [\"abcd1234\", \"ef012345\"]}");

        var r = Cli.run(agentd.socket(), "revoke", "7");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("revoked grants: 7, 9\naffected agents: abcd1234, ef012345\n", r.out());
        assertEquals("caps.revoke", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"grant_id\": 7}"), agentd.onlyRequest().path("params"));
        assertTrue(agentd.onlyRequest().path("params").path("grant_id").isIntegralNumber());
    }

    @Test
    void revoke_json_printsResult() {
        String result = "{\"revoked\": [7], \"agents\": []}";
        agentd.result("caps.revoke", result);

        var r = Cli.run(agentd.socket(), "revoke", "--json", "7");

        assertEquals(FakeAgentd.parse(result), FakeAgentd.parse(r.out()));
    }

    @Test
    void revoke_nonNumericId_isUsageError() {
        var r = Cli.run(agentd.socket(), "revoke", "seven");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(agentd.requests().isEmpty());
    }
}
