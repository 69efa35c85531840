package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ToolCommandTest {
    static final String TOOLS = """
            {"tools": [
              {"name": "echo", "description": "Returns its text.", "inputSchema": {"type": "object"}},
              {"name": "fetch", "description": "Fetches a URL.\\nOnly hosts granted with net.",
               "inputSchema": {"type": "object"}, "outputSchema": {"type": "object"}}]}""";
    static final String HELLO = """
            {"content": [{"type": "text", "text": "hello"}, {"type": "text", "text": "world\\n"}], "isError": false}""";
    static final String STRUCTURED = """
            {"content": [{"type": "text", "text": "{\\"status\\":200}"}], "structuredContent": {"status": 200},
             "isError": false}""";
    static final String FAILED = """
            {"content": [{"type": "text", "text": "fetch: host example.org is not granted"}], "isError": true}""";

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
    void list_printsNameAndFirstLineOfDescription() {
        agentd.result("tool.list", TOOLS);

        var r = Cli.run(agentd.socket(), "tool", "list", "researcher");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                NAME   DESCRIPTION
                echo   Returns its text.
                fetch  Fetches a URL.
                """, r.out());
        assertEquals("tool.list", agentd.onlyRequest().path("method").asText());
        assertEquals(FakeAgentd.parse("{\"id\": \"researcher\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void list_json_printsResult() {
        agentd.result("tool.list", TOOLS);

        var r = Cli.run(agentd.socket(), "tool", "ls", "--json", "researcher");

        assertEquals(FakeAgentd.parse(TOOLS), FakeAgentd.parse(r.out()));
    }

    @Test
    void list_noSuchAgent_exits4() {
        agentd.error("tool.list", AdminException.NO_SUCH_AGENT, "no such agent: zzz", "{\"id\": \"zzz\"}");

        var r = Cli.run(agentd.socket(), "tool", "list", "zzz");

        assertEquals(ExitCodes.NO_SUCH_AGENT, r.exit(), r::toString);
    }

    @Test
    void call_pairs_buildTheArgumentsObject() {
        agentd.result("tool.call", HELLO);

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "echo", "text=hello", "n=42", "x=1.5",
                "flag=true", "off=false", "nothing=null", "list=[1,2]", "obj={\"k\":\"v\"}", "quoted=\"42\"",
                "zip=007", "junk=12abc", "two=true false", "empty=", "eq=a=b", "url=https://example.org/?q=1");

        assertEquals(0, r.exit(), r::toString);
        JsonNode request = agentd.onlyRequest();
        assertEquals("tool.call", request.path("method").asText());
        assertEquals(FakeAgentd.parse("""
                {"id": "researcher", "name": "echo", "arguments": {
                  "text": "hello", "n": 42, "x": 1.5, "flag": true, "off": false, "nothing": null,
                  "list": [1, 2], "obj": {"k": "v"}, "quoted": "42", "zip": "007", "junk": "12abc",
                  "two": "true false", "empty": "", "eq": "a=b", "url": "https://example.org/?q=1"}}"""),
                request.path("params"));
    }

    @Test
    void call_noArguments_sendsEmptyObject() {
        agentd.result("tool.call", HELLO);

        Cli.run(agentd.socket(), "tool", "call", "researcher", "echo");

        assertEquals(FakeAgentd.parse("{}"), agentd.onlyRequest().path("params").path("arguments"));
    }

    @Test
    void call_args_givesTheWholeObjectAndPairsOverride() {
        agentd.result("tool.call", HELLO);

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "search",
                "--args", "{\"query\": \"agentd\", \"limit\": 5, \"deep\": {\"a\": 1}}", "limit=10", "limit=20");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse("{\"query\": \"agentd\", \"limit\": 20, \"deep\": {\"a\": 1}}"),
                agentd.onlyRequest().path("params").path("arguments"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--args|[1, 2]|--args must be a JSON object",
        "--args|{\"a\": |--args is not valid JSON",
        "--args|{} {}|--args is not valid JSON"})
    void call_badArgs_isUsageErrorAndSendsNothing(String option, String value, String message) {
        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "echo", option, value);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().startsWith("agentctl: " + message), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @ParameterizedTest
    @CsvSource({"text, expected ARG=VALUE, not \"text\"", "=x, the argument name is empty"})
    void call_badPair_isUsageErrorAndSendsNothing(String pair, String message) {
        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "echo", pair);

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().contains(message), r.err());
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void call_printsTextBlocksEachOnItsOwnLines() {
        agentd.result("tool.call", HELLO);

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "echo", "text=hello");

        assertEquals("hello\nworld\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void call_nonTextBlocks_areNotedOnStderr() {
        agentd.result("tool.call", """
                {"content": [{"type": "text", "text": "a chart"}, {"type": "image", "data": "iVBO",
                              "mimeType": "image/png"}], "isError": false}""");

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "plot");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("a chart\n", r.out());
        assertEquals("agentctl: plot also returned 1 content block(s) that are not text (image); not shown\n",
                r.err());
    }

    @Test
    void call_json_printsStructuredContent() {
        agentd.result("tool.call", STRUCTURED);

        var r = Cli.run(agentd.socket(), "tool", "call", "--json", "researcher", "fetch", "url=https://x");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("{\n  \"status\": 200\n}\n", r.out());
    }

    @Test
    void call_jsonWithoutStructuredContent_printsWholeResult() {
        agentd.result("tool.call", HELLO);

        var r = Cli.run(agentd.socket(), "tool", "call", "--json", "researcher", "echo");

        assertEquals(FakeAgentd.parse(HELLO), FakeAgentd.parse(r.out()));
    }

    @Test
    void call_isError_printsTextOnStderrAndExits1() {
        agentd.result("tool.call", FAILED);

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "fetch", "url=https://example.org");

        assertEquals(ExitCodes.AGENTD_ERROR, r.exit(), r::toString);
        assertEquals("", r.out());
        assertEquals("agentctl: tool fetch failed: fetch: host example.org is not granted\n", r.err());
    }

    @Test
    void call_isErrorJson_printsErrorObjectOnStderrAndExits1() {
        agentd.result("tool.call", FAILED);

        var r = Cli.run(agentd.socket(), "tool", "call", "--json", "researcher", "fetch");

        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out());
        JsonNode error = FakeAgentd.parse(r.err()).path("error");
        assertEquals("tool", error.path("kind").asText());
        assertEquals("fetch", error.path("tool").asText());
        assertEquals("fetch: host example.org is not granted", error.path("message").asText());
        assertEquals(FakeAgentd.parse(FAILED), error.path("result"));
        assertEquals(1, error.path("exit_code").asInt());
    }

    @Test
    void call_isErrorWithoutText_saysSo() {
        agentd.result("tool.call", "{\"content\": [], \"isError\": true}");

        var r = Cli.run(agentd.socket(), "tool", "call", "researcher", "flaky");

        assertEquals(1, r.exit(), r::toString);
        assertEquals("agentctl: tool flaky failed (it gave no reason)\n", r.err());
    }

    @Test
    void call_refusedByAgentd_isAgentdError() {
        agentd.error("tool.call", AdminException.PERMISSION_DENIED, "agent a1b2c3d4 holds no grant for tool rm",
                null);

        var r = Cli.run(agentd.socket(), "tool", "call", "a1b2c3d4", "rm");

        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("agentctl: agent a1b2c3d4 holds no grant for tool rm"), r.err());
    }

    @Test
    void call_missingName_isUsageError() {
        var r = Cli.run(agentd.socket(), "tool", "call", "researcher");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void value_parsesJsonElseString() {
        assertEquals(FakeAgentd.parse("42"), ToolCallCommand.value("42"));
        assertEquals(FakeAgentd.parse("\"hello world\""), ToolCallCommand.value("hello world"));
        assertEquals(FakeAgentd.parse("\"NaN\""), ToolCallCommand.value("NaN"));
        assertEquals(List.of("a", "b"), List.of(ToolCallCommand.value("[\"a\",\"b\"]").get(0).asText(),
                ToolCallCommand.value("[\"a\",\"b\"]").get(1).asText()));
    }
}
