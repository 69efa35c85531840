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

class KillCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        agentd.result("agent.kill", Fixtures.RUNNING);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void kill_default_sendsSigkill() {
        var r = Cli.run(agentd.socket(), "kill", "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("sent SIGKILL to a1b2c3d4\n", r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"a1b2c3d4\", \"signal\": 9}"), agentd.onlyRequest().path("params"));
    }

    @ParameterizedTest
    @CsvSource({"TERM,15", "SIGTERM,15", "term,15", "15,15", "HUP,1", "USR1,10", "40,40"})
    void kill_signal_acceptsNamesAndNumbers(String given, int number) {
        var r = Cli.run(agentd.socket(), "kill", "--signal", given, "a1b2c3d4");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(number, agentd.onlyRequest().path("params").path("signal").asInt());
    }

    @ParameterizedTest
    @CsvSource({"FOO", "0", "65", "SIG"})
    void kill_badSignal_isUsageErrorAndSendsNothing(String given) {
        var r = Cli.run(agentd.socket(), "kill", "-s", given, "a1b2c3d4");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("--signal"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void kill_json_printsRecord() {
        var r = Cli.run(agentd.socket(), "kill", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse(Fixtures.RUNNING), FakeAgentd.parse(r.out()));
    }
}
