package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Error reporting and exit statuses, common to every command (they live in {@link Main}). */
class MainTest {
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

    @ParameterizedTest
    @CsvSource({
        "-32001, 4", "-32000, 5", "-32002, 1", "-32003, 1", "-32004, 1", "-32099, 1",
        "-32602, 1", "-32600, 1", "-32700, 1"})
    void handle_agentdErrorCode_mapsToExitStatus(int code, int exit) {
        agentd.error("agent.status", code, "it went wrong", null);

        var r = Cli.run(agentd.socket(), "status", "x");

        assertEquals(exit, r.exit(), r::toString);
    }

    @Test
    void handle_json_printsErrorObjectOnStderr() {
        agentd.error("agent.status", AdminException.NO_SUCH_AGENT, "no such agent: zzz", "{\"id\": \"zzz\"}");

        var r = Cli.run(agentd.socket(), "status", "--json", "zzz");

        assertEquals(4, r.exit());
        assertEquals("", r.out());
        assertEquals(FakeAgentd.parse("""
                {"error": {"kind": "agentd", "code": -32001, "message": "no such agent: zzz",
                           "data": {"id": "zzz"}, "exit_code": 4}}"""), FakeAgentd.parse(r.err()));
    }

    @Test
    void handle_permissionDenied_addsHint() {
        agentd.error("agent.list", AdminException.PERMISSION_DENIED, "uid 1000 may not use the admin socket", null);

        var r = Cli.run(agentd.socket(), "list");

        assertEquals("agentctl: uid 1000 may not use the admin socket (you need to be root or in group agentd)\n",
                r.err());
    }

    @Test
    void handle_unknownMethod_suggestsOlderDaemon() {
        var r = Cli.run(agentd.socket(), "daemon", "status");

        assertEquals(1, r.exit());
        assertTrue(r.err().endsWith("(is agentd older than this agentctl?)\n"), r.err());
    }

    @Test
    void handle_noSocket_exits3WithActionableMessage() {
        Path missing = dir.resolve("missing.sock");

        var r = Cli.run(missing, "list");

        assertEquals(ExitCodes.UNREACHABLE, r.exit());
        assertEquals("agentctl: cannot connect to agentd at " + missing
                + ": No such file or directory — is agentd running? (set --socket or AGENTD_SOCKET)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void handle_noSocketJson_printsErrorObject() {
        Path missing = dir.resolve("missing.sock");

        var r = Cli.run(missing, "status", "--json", "x");

        assertEquals(ExitCodes.UNREACHABLE, r.exit());
        JsonNode error = FakeAgentd.parse(r.err()).path("error");
        assertEquals("unreachable", error.path("kind").asText());
        assertEquals(missing.toString(), error.path("socket").asText());
        assertEquals(3, error.path("exit_code").asInt());
    }

    @Test
    void handle_connectionLost_exits3() {
        agentd.on("agent.status", (req, reply) -> {
            throw new IOException("simulated crash");
        });

        var r = Cli.run(agentd.socket(), "status", "x");

        assertEquals(ExitCodes.UNREACHABLE, r.exit(), r::toString);
        assertTrue(r.err().startsWith("agentctl: lost connection to agentd at " + agentd.socket()
                + " during agent.status: connection closed"), r.err());
    }

    @Test
    void handle_garbageResponse_exits1() {
        agentd.on("agent.status", (req, reply) -> reply.raw("<html>"));

        var r = Cli.run(agentd.socket(), "status", "x");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit(), r::toString);
        assertEquals("agentctl: agentd sent a line that is not JSON during agent.status: <html>\n", r.err());
    }

    @Test
    void socket_fromEnvironment_whenNoOption() {
        agentd.result("agent.list", "{\"agents\": []}");

        var r = Cli.runWithEnv(Map.of("AGENTD_SOCKET", agentd.socket().toString()), "list");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(1, agentd.requests().size());
    }

    @Test
    void socket_optionWinsOverEnvironment() {
        agentd.result("agent.list", "{\"agents\": []}");

        var r = Cli.runWithEnv(Map.of("AGENTD_SOCKET", "/nonexistent/agentd.sock"),
                "list", "--socket", agentd.socket().toString());

        assertEquals(0, r.exit(), r::toString);
    }

    @Test
    void usage_unknownOption_exits2WithPointerToHelp() {
        var r = Cli.run(agentd.socket(), "status", "--bogus", "x");

        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().startsWith("agentctl: Unknown option: '--bogus'\n"), r.err());
        assertTrue(r.err().endsWith("Try 'agentctl status --help' for more information.\n"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void usage_json_printsErrorObject() {
        var r = Cli.run(agentd.socket(), "status", "--json");

        assertEquals(ExitCodes.USAGE, r.exit());
        assertEquals("usage", FakeAgentd.parse(r.err()).path("error").path("kind").asText());
    }

    @Test
    void usage_noCommand_printsUsageAndExits2() {
        var r = Cli.runWithEnv(Map.of());

        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("COMMANDS"), r.err());
    }

    @Test
    void version_printsVersion() {
        var r = Cli.runWithEnv(Map.of(), "--version");

        assertEquals(0, r.exit());
        assertTrue(r.out().startsWith("agentctl "), r.out());
    }
}
