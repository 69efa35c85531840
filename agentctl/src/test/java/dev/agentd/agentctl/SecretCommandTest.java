package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** secret set, list, rm. */
class SecretCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        agentd.result("secret.set", "{\"name\": \"github_token\"}");
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    private byte[] sentValue() {
        return Base64.getDecoder().decode(agentd.onlyRequest().path("params").path("value_base64").asText());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ghp_abc|ghp_abc",
        "ghp_abc\\n|ghp_abc",
        "ghp_abc\\r\\n|ghp_abc",
        "ghp_abc\\n\\n|ghp_abc\\n",
        "line1\\nline2\\n|line1\\nline2",
        "' spaced '|' spaced '"})
    void set_readsAllOfStdinAndStripsOneTrailingNewline(String stdin, String stored) {
        byte[] in = stdin.replace("\\n", "\n").replace("\\r", "\r").getBytes(StandardCharsets.UTF_8);

        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(in, false), "secret", "set", "github_token");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(stored.replace("\\n", "\n"), new String(sentValue(), StandardCharsets.UTF_8));
        assertEquals("secret.set", agentd.onlyRequest().path("method").asText());
        assertEquals("github_token", agentd.onlyRequest().path("params").path("name").asText());
        assertEquals("secret github_token set\n", r.out());
    }

    @Test
    void set_keepsArbitraryBytes() {
        byte[] in = {0, (byte) 0xff, (byte) 0xfe, 10, 13, 0x7f, 10};

        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(in, false), "secret", "set", "key");

        assertEquals(0, r.exit(), r::toString);
        assertArrayEquals(new byte[] {0, (byte) 0xff, (byte) 0xfe, 10, 13, 0x7f}, sentValue());
    }

    @Test
    void set_sendsTheValueOnlyBase64Encoded() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin("hunter2\n".getBytes(StandardCharsets.UTF_8), false),
                "secret", "set", "pw");

        assertEquals(0, r.exit(), r::toString);
        assertFalse(agentd.onlyRequest().toString().contains("hunter2"));
        assertEquals("aHVudGVyMg==", agentd.onlyRequest().path("params").path("value_base64").asText());
    }

    @Test
    void set_terminalStdin_isRefusedWithHint() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(new byte[0], true), "secret", "set", "github_token");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("echo -n VALUE | agentctl secret set github_token"), r.err());
        assertTrue(r.err().contains("--prompt"), r.err());
        assertEquals("", r.out());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void set_prompt_readsFromTheTerminalWithoutEcho() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(new byte[0], true, "s3cr\u00e9t"),
                "secret", "set", "--prompt", "db_password");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("s3cr\u00e9t", new String(sentValue(), StandardCharsets.UTF_8));
    }

    @Test
    void set_promptWithoutTerminal_isUsageError() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(new byte[0], false, null),
                "secret", "set", "--prompt", "db_password");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("--prompt needs a terminal"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void set_emptyValue_isRefused() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin("\n".getBytes(StandardCharsets.UTF_8), false),
                "secret", "set", "github_token");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("is empty"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void set_json_printsResult() {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin("v".getBytes(StandardCharsets.UTF_8), false),
                "secret", "set", "--json", "github_token");

        assertEquals(FakeAgentd.parse("{\"name\": \"github_token\"}"), FakeAgentd.parse(r.out()));
    }

    @Test
    void list_printsNamesOnePerLine() {
        agentd.result("secret.list", "{\"names\": [\"github_token\", \"openai_key\"]}");

        var r = Cli.run(agentd.socket(), "secret", "list");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("github_token\nopenai_key\n", r.out());
        assertEquals("secret.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void list_json_printsResult() {
        agentd.result("secret.list", "{\"names\": [\"a\"]}");

        var r = Cli.run(agentd.socket(), "secret", "ls", "--json");

        assertEquals(FakeAgentd.parse("{\"names\": [\"a\"]}"), FakeAgentd.parse(r.out()));
    }

    @Test
    void rm_sendsDelete() {
        agentd.result("secret.delete", "{\"name\": \"github_token\"}");

        var r = Cli.run(agentd.socket(), "secret", "rm", "github_token");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("secret github_token removed\n", r.out());
        assertEquals("secret.delete", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"name\": \"github_token\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void rm_unknown_exits1() {
        agentd.error("secret.delete", AdminException.INVALID_PARAMS, "no such secret: nope", null);

        var r = Cli.run(agentd.socket(), "secret", "delete", "nope");

        assertEquals(1, r.exit(), r::toString);
        assertEquals("agentctl: no such secret: nope\n", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../x", "a/b", "with space", "", "${secret:x}"})
    void set_nameOutsideTheSecretSyntax_isRefusedBeforeReadingStdin(String name) {
        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin("v".getBytes(StandardCharsets.UTF_8), false),
                "secret", "set", name);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("invalid secret name"), r.err());
        assertTrue(r.err().contains("${secret:NAME}"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void rm_nameOutsideTheSecretSyntax_isRefused() {
        var r = Cli.run(agentd.socket(), "secret", "rm", "../../x");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void set_valueLongerThanTheCap_isRefused() {
        byte[] big = new byte[SecretSetCommand.MAX_VALUE + 1];
        java.util.Arrays.fill(big, (byte) 'a');

        var r = Cli.runWithStdin(agentd.socket(), Cli.stdin(big, false), "secret", "set", "k");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains("longer than 512 KiB"), r.err());
        assertTrue(agentd.requests().isEmpty());
    }
}
