package dev.agentd.toolcall.tools;

import static dev.agentd.toolcall.tools.Calls.ok;
import static dev.agentd.toolcall.tools.Calls.structured;
import static dev.agentd.toolcall.tools.Calls.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.toolcall.Tool;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** echo, the factory, every schema's shape, and the in-memory budget. */
class ToolBasicsTest {
    @Test
    void echo_returnsTheText() throws Exception {
        var r = ok(new EchoTool(), new FakeContext(), "{\"text\": \"hi ✓\"}");
        assertEquals("hi ✓", text(r));
        assertEquals("hi ✓", structured(r).get("text").asText());
        assertFalse(Calls.inputErrors(new EchoTool(), "{\"text\": \"x\", \"more\": 1}").isEmpty());
        assertFalse(Calls.inputErrors(new EchoTool(), "{}").isEmpty());
    }

    @Test
    void all_namesUniqueSchemasClosedAndValid() {
        List<Tool> tools = BuiltinTools.all(LlmProviders.none(), TokenBudget.unlimited());
        Set<String> names = new HashSet<>();
        for (Tool t : tools) {
            assertTrue(names.add(t.name()), "duplicate " + t.name());
            assertTrue(t.name().matches("[A-Za-z0-9_.-]{1,128}"));
            assertFalse(t.description().isBlank());
            JsonNode in = t.inputSchema();
            assertEquals("object", in.get("type").asText(), t.name());
            assertFalse(in.get("additionalProperties").asBoolean(true), t.name() + " input must be closed");
            Calls.SCHEMAS.getSchema(in); // compiles as 2020-12
            JsonNode out = t.outputSchema().orElseThrow();
            assertEquals("object", out.get("type").asText(), t.name());
            assertFalse(out.get("additionalProperties").asBoolean(true), t.name() + " output must be closed");
            Calls.SCHEMAS.getSchema(out);
        }
        assertEquals(Set.of("echo", "file_read", "file_write", "file_list", "file_stat", "http_fetch", "llm_complete"),
                names);
    }

    @Test
    void schemas_areCopiesCallersCannotChange() {
        EchoTool e = new EchoTool();
        ((com.fasterxml.jackson.databind.node.ObjectNode) e.inputSchema()).put("additionalProperties", true);
        assertFalse(e.inputSchema().get("additionalProperties").asBoolean());
    }

    @Test
    void budget_reserveSettleAndLimits() {
        InMemoryTokenBudget b = new InMemoryTokenBudget((agent, provider) ->
                agent.equals("rich") ? OptionalLong.empty() : OptionalLong.of(100));
        assertTrue(b.reserve("a", "p", 60));
        assertFalse(b.reserve("a", "p", 41), "60 reserved + 41 > 100");
        assertTrue(b.reserve("a", "q", 100), "budgets are per provider");
        b.settle("a", "p", 60, 30);
        assertEquals(30, b.used("a", "p"));
        assertEquals(0, b.reserved("a", "p"));
        assertTrue(b.reserve("a", "p", 70));
        assertFalse(b.reserve("a", "p", 1));
        assertTrue(b.reserve("rich", "p", Long.MAX_VALUE / 2));
    }

    @Test
    void providers_validateConfiguration() {
        var ok = new LlmProviders.Provider("p", URI.create("https://api.example/v1/"), Set.of(), Optional.empty(), 1, 10);
        assertEquals(URI.create("https://api.example/v1/chat/completions"), ok.completionsUrl());
        assertThrows(() -> new LlmProviders.Provider("p", URI.create("ftp://x/"), Set.of(), Optional.empty(), 1, 10));
        assertThrows(() -> new LlmProviders.Provider("p", URI.create("https://k@x/"), Set.of(), Optional.empty(), 1, 10));
        assertThrows(() -> new LlmProviders.Provider("p", URI.create("https://x/"), Set.of(), Optional.empty(), 0, 10));
        assertThrows(() -> new LlmProviders(List.of(ok, ok)));
    }

    private static void assertThrows(Runnable r) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, r::run);
    }
}
