package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;
    Path manifest;

    static final String YAML = "name: researcher\ncommand: [\"/usr/bin/python3\", \"agent.py\"]\n";

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        Files.createDirectories(dir.resolve("agents"));
        manifest = dir.resolve("agents/researcher.yaml");
        Files.writeString(manifest, YAML);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void spawn_sendsTextAndNormalizedAbsolutePath_printsId() {
        agentd.result("agent.spawn", Fixtures.RUNNING);

        var r = Cli.run(agentd.socket(), "spawn", dir.resolve("agents/../agents/researcher.yaml").toString());

        assertEquals(0, r.exit(), r::toString);
        assertEquals("a1b2c3d4\n", r.out());
        JsonNode req = agentd.onlyRequest();
        assertEquals("2.0", req.path("jsonrpc").asText());
        assertEquals("agent.spawn", req.path("method").asText());
        assertEquals(YAML, req.path("params").path("manifest").asText());
        assertEquals(manifest.toAbsolutePath().toString(), req.path("params").path("path").asText());
        assertEquals(2, req.path("params").size());
    }

    @Test
    void spawn_droppedRules_warnsOnStderr() {
        agentd.result("agent.spawn", Fixtures.RUNNING);

        var r = Cli.run(agentd.socket(), "spawn", manifest.toString());

        assertEquals("agentctl: warning: a1b2c3d4: rule not applied: landlock: IOCTL_DEV needs ABI 5\n"
                + "agentctl: warning: a1b2c3d4: rule not applied: seccomp: user notification unavailable\n",
                r.err());
    }

    @Test
    void spawn_json_printsRecordPrettyAndNoWarnings() {
        agentd.result("agent.spawn", Fixtures.RUNNING);

        var r = Cli.run(agentd.socket(), "spawn", "--json", manifest.toString());

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(Fixtures.RUNNING), FakeAgentd.parse(r.out()));
        assertTrue(r.out().startsWith("{\n  \"id\": \"a1b2c3d4\",\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void spawn_missingFile_isUsageErrorAndSendsNothing() {
        var r = Cli.run(agentd.socket(), "spawn", dir.resolve("nope.yaml").toString());

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertEquals("agentctl: cannot read manifest " + dir.resolve("nope.yaml") + ": no such file\n", r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void spawn_manifestInvalid_printsOneLocatedErrorPerLine() {
        agentd.error("agent.spawn", AdminException.MANIFEST_INVALID, "manifest has 2 errors", """
                {"errors": [
                  {"file": "/etc/agentd/agents/base.yaml", "line": 4, "column": 11,
                   "key": "resources.memory", "message": "expected a size like 512M, got \\"lots\\""},
                  {"line": 9, "column": 3, "key": "landlock.read", "message": "unknown access right \\"exec\\""}
                ]}""");

        var r = Cli.run(agentd.socket(), "spawn", manifest.toString());

        assertEquals(ExitCodes.MANIFEST_INVALID, r.exit(), r::toString);
        assertEquals("/etc/agentd/agents/base.yaml:4:11: resources.memory: expected a size like 512M, got \"lots\"\n"
                + manifest + ":9:3: landlock.read: unknown access right \"exec\"\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void spawn_manifestInvalidJson_passesErrorDataThroughOnStderr() {
        agentd.error("agent.spawn", AdminException.MANIFEST_INVALID, "manifest has 1 error",
                "{\"errors\": [{\"line\": 1, \"column\": 1, \"key\": \"name\", \"message\": \"required\"}]}");

        var r = Cli.run(agentd.socket(), "spawn", "--json", manifest.toString());

        assertEquals(ExitCodes.MANIFEST_INVALID, r.exit());
        JsonNode error = FakeAgentd.parse(r.err()).path("error");
        assertEquals(-32000, error.path("code").asInt());
        assertEquals("manifest has 1 error", error.path("message").asText());
        assertEquals("required", error.path("data").path("errors").path(0).path("message").asText());
        assertEquals(5, error.path("exit_code").asInt());
        assertEquals("", r.out());
    }

    @Test
    void spawn_refused_exits1WithAgentdsMessage() {
        agentd.error("agent.spawn", AdminException.SPAWN_REFUSED,
                "landlock is required by the manifest but this kernel has no Landlock", "{\"what\": \"landlock\"}");

        var r = Cli.run(agentd.socket(), "spawn", manifest.toString());

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit());
        assertEquals("agentctl: landlock is required by the manifest but this kernel has no Landlock\n", r.err());
    }
}
