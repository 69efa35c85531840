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

/** {@code --socket} and {@code --json} before the subcommand, as {@code docker -H} takes them. */
class GlobalOptionsTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    static final String ONE = "{\"agents\": [" + Fixtures.RUNNING + "]}";

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
    void socketAndJson_beforeTheSubcommand_apply() {
        agentd.result("agent.list", ONE);

        var r = Cli.runWithEnv(Map.of(), "--socket", agentd.socket().toString(), "--json", "list");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(ONE), FakeAgentd.parse(r.out()));
    }

    @Test
    void socket_beforeANestedSubcommand_applies() {
        agentd.result("secret.list", "{\"secrets\": []}");

        var r = Cli.runWithEnv(Map.of(), "--socket", agentd.socket().toString(), "secret", "list", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("secret.list", agentd.onlyRequest().path("method").asText());
    }

    @Test
    void socket_afterTheSubcommand_winsOverTheGlobalOne() {
        agentd.result("agent.list", ONE);

        var r = Cli.runWithEnv(Map.of(), "--socket", dir.resolve("nothing.sock").toString(),
                "list", "--socket", agentd.socket().toString());

        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("researcher"), r.out());
    }

    @Test
    void json_beforeTheSubcommand_makesErrorsJson() {
        var r = Cli.runWithEnv(Map.of(), "--json", "--socket", dir.resolve("nothing.sock").toString(), "list");

        assertEquals(ExitCodes.UNREACHABLE, r.exit(), r::toString);
        assertEquals("unreachable", FakeAgentd.parse(r.err()).path("error").path("kind").asText(), r.err());
    }
}
