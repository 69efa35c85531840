package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AuditCommandTest {
    static final String RECORD_1 = """
            {"seq": 1, "time": "2026-11-22T00:00:00Z", "actor_uid": null, "agent": null,
             "event": "daemon.start", "details": {}, "hash": "aa"}""";
    static final String RECORD_2 = """
            {"seq": 2, "time": "2026-11-22T00:00:00.120Z", "actor_uid": 0, "agent": "a1b2c3d4",
             "event": "spawn", "details": {"name": "researcher", "pid": 12345}, "hash": "bb"}""";
    static final String LIST = "{\"records\": [" + RECORD_1 + ", " + RECORD_2 + "]}";

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
    void audit_printsOneLinePerRecord() {
        agentd.result("audit.list", LIST);

        var r = Cli.run(agentd.socket(), "audit");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                1 2026-11-22T00:00:00Z daemon.start - actor=- {}
                2 2026-11-22T00:00:00.120Z spawn a1b2c3d4 actor=0 {"name":"researcher","pid":12345}
                """, r.out());
        assertEquals("audit.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void audit_agentAndIsoSince_areSentAsGiven() {
        agentd.result("audit.list", "{\"records\": []}");

        var r = Cli.run(agentd.socket(), "audit", "--agent", "researcher", "--since", "2026-11-21T23:00:00Z");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("", r.out());
        assertEquals(FakeAgentd.parse("{\"agent\": \"researcher\", \"since\": \"2026-11-21T23:00:00Z\"}"),
                agentd.onlyRequest().path("params"));
    }

    @ParameterizedTest
    @CsvSource({
        "10m, 2026-11-21T23:53:12.120Z",
        "2h, 2026-11-21T22:03:12.120Z",
        "1h30m, 2026-11-21T22:33:12.120Z",
        "7d, 2026-11-15T00:03:12.120Z",
        "90s, 2026-11-22T00:01:42.120Z",
        "PT1M, 2026-11-22T00:02:12.120Z",
        "2026-11-22T01:00:00+01:00, 2026-11-22T00:00:00Z",
        "2026-11-20, 2026-11-20T00:00:00Z"})
    void audit_since_relativeDurationsBecomeInstantsClientSide(String since, String sent) {
        agentd.result("audit.list", "{\"records\": []}");

        var r = Cli.run(agentd.socket(), "audit", "--since", since);

        assertEquals(0, r.exit(), r::toString);
        assertEquals(sent, agentd.onlyRequest().path("params").path("since").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yesterday", "10", "10x", "-5m", "2026-13-01", "m10"})
    void audit_badSince_isUsageErrorAndSendsNothing(String since) {
        var r = Cli.run(agentd.socket(), "audit", "--since", since);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().startsWith("agentctl: invalid --since \"" + since + "\": expected an ISO-8601 time"),
                r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void audit_json_printsResult() {
        agentd.result("audit.list", LIST);

        var r = Cli.run(agentd.socket(), "audit", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(LIST), FakeAgentd.parse(r.out()));
    }

    @Test
    void audit_follow_printsEachNotificationAsItArrives() {
        agentd.on("audit.list", (req, reply) -> {
            reply.notify("audit.record", FakeAgentd.parse(RECORD_1));
            reply.notify("agent.log", FakeAgentd.parse("{\"id\": \"x\", \"line\": \"not audit\"}"));
            reply.notify("audit.record", FakeAgentd.parse(RECORD_2));
            // agentd streams until the client hangs up; the fake ends the call to end the test.
            reply.result(FakeAgentd.parse("{\"records\": []}"));
        });

        var r = Cli.run(agentd.socket(), "audit", "-f", "--agent", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                1 2026-11-22T00:00:00Z daemon.start - actor=- {}
                2 2026-11-22T00:00:00.120Z spawn a1b2c3d4 actor=0 {"name":"researcher","pid":12345}
                """, r.out());
        assertEquals(FakeAgentd.parse("{\"agent\": \"a1b2c3d4\", \"follow\": true}"),
                agentd.onlyRequest().path("params"));
    }

    @Test
    void audit_followJson_printsJsonLines() {
        agentd.on("audit.list", (req, reply) -> {
            reply.notify("audit.record", FakeAgentd.parse(RECORD_2));
            reply.result(FakeAgentd.parse("{\"records\": []}"));
        });

        var r = Cli.run(agentd.socket(), "audit", "--follow", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(Json.compact(FakeAgentd.parse(RECORD_2)) + "\n", r.out());
    }

    @Test
    void audit_follow_agentdGoingAway_exits3() {
        agentd.on("audit.list", (req, reply) -> {
            reply.notify("audit.record", FakeAgentd.parse(RECORD_1));
            throw new IOException("agentd stopped");
        });

        var r = Cli.run(agentd.socket(), "audit", "-f");

        assertEquals(ExitCodes.UNREACHABLE, r.exit(), r::toString);
        assertTrue(r.out().startsWith("1 "), r.out());
    }

    @Test
    void audit_details_controlCharactersCannotReachTheTerminal() {
        agentd.result("audit.list", """
                {"records": [{"seq": 3, "time": "t", "actor_uid": 0, "agent": "a1b2c3d4", "event": "tool.call",
                              "details": {"preview": "ok\\u009b2J\\u202egnp.exe"}, "hash": "cc"}]}""");

        var r = Cli.run(agentd.socket(), "audit");

        assertEquals("3 t tool.call a1b2c3d4 actor=0 {\"preview\":\"ok\\u009b2J\\u202egnp.exe\"}\n", r.out());
    }

    @Test
    void audit_noSuchAgent_exits4() {
        agentd.error("audit.list", AdminException.NO_SUCH_AGENT, "no such agent: zzz", "{\"id\": \"zzz\"}");

        var r = Cli.run(agentd.socket(), "audit", "--agent", "zzz");

        assertEquals(ExitCodes.NO_SUCH_AGENT, r.exit(), r::toString);
        assertEquals("agentctl: no such agent: zzz\n", r.err());
    }

    @Test
    void verify_intact_exits0() {
        agentd.result("audit.verify", "{\"ok\": true, \"records\": 42, \"problems\": []}");

        var r = Cli.run(agentd.socket(), "audit", "verify");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("audit log intact: 42 records\n", r.out());
        assertEquals("", r.err());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void verify_tampered_printsEachProblemAndExits6() {
        agentd.result("audit.verify", """
                {"ok": false, "records": 41, "problems": [
                  "record 7 (spawn): content does not match its hash (edited)",
                  "the log ends at record 41 but agentd last wrote record 42 (deleted)"]}""");

        var r = Cli.run(agentd.socket(), "audit", "verify");

        assertEquals(ExitCodes.AUDIT_TAMPERED, r.exit(), r::toString);
        assertEquals(6, r.exit());
        assertEquals("""
                record 7 (spawn): content does not match its hash (edited)
                the log ends at record 41 but agentd last wrote record 42 (deleted)
                """, r.out());
    }

    @Test
    void verify_problemsWithOkTrue_stillExits6() {
        agentd.result("audit.verify", "{\"ok\": true, \"records\": 3, \"problems\": [\"record 2: edited\"]}");

        var r = Cli.run(agentd.socket(), "audit", "verify");

        assertEquals(6, r.exit(), r::toString);
    }

    @Test
    void verify_notOkWithoutProblems_stillExits6() {
        agentd.result("audit.verify", "{\"ok\": false, \"records\": 3, \"problems\": []}");

        var r = Cli.run(agentd.socket(), "audit", "verify");

        assertEquals(6, r.exit(), r::toString);
        assertTrue(r.out().contains("not intact"), r.out());
    }

    @Test
    void verify_tamperedJson_printsResultAndExits6() {
        String result = "{\"ok\": false, \"records\": 3, \"problems\": [\"record 2: edited\"]}";
        agentd.result("audit.verify", result);

        var r = Cli.run(agentd.socket(), "audit", "verify", "--json");

        assertEquals(6, r.exit(), r::toString);
        JsonNode out = FakeAgentd.parse(r.out());
        assertEquals(FakeAgentd.parse(result), out);
    }

    @Test
    void verify_intactJson_exits0() {
        agentd.result("audit.verify", "{\"ok\": true, \"records\": 42, \"problems\": []}");

        var r = Cli.run(agentd.socket(), "audit", "verify", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(42, FakeAgentd.parse(r.out()).path("records").asInt());
    }
}
