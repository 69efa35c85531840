package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolRegistryTest {
    private static Tool withSchema(String name, String in, String out) {
        return TestTools.tool(name, in, Optional.ofNullable(out), c -> ToolResult.text(""));
    }

    @Test
    void of_sortsByName_andFindsTools() {
        ToolRegistry r = ToolRegistry.of(TestTools.echo(), TestTools.add());
        assertEquals(List.of("add", "echo"), r.tools().stream().map(Tool::name).toList());
        assertTrue(r.get("echo").isPresent());
        assertFalse(r.get("nope").isPresent());
    }

    @Test
    void of_rejectsBadNamesDuplicatesAndSchemas() {
        assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(TestTools.echo(), TestTools.echo()));
        assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(withSchema("has space", TestTools.ANY, null)));
        assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(withSchema("x".repeat(129), TestTools.ANY, null)));
        assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(withSchema("arr", "{\"type\":\"array\"}", null)));
        assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(withSchema("o", TestTools.ANY, "{\"type\":\"string\"}")));
        assertThrows(IllegalArgumentException.class,
                () -> ToolRegistry.of(withSchema("bad", "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"#/nowhere\"}}}", null)));
    }

    @Test
    void of_neverFetchesARemoteRef() {
        // 192.0.2.0/24 is TEST-NET-1: nothing answers. A fetch would hang or fail slowly; the loader is gone instead.
        long t0 = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ToolRegistry.of(withSchema("remote",
                "{\"type\":\"object\",\"properties\":{\"a\":{\"$ref\":\"http://192.0.2.1/schema.json\"}}}", null)));
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        assertTrue(e.getMessage().contains("remote"), e.getMessage());
    }

    @Test
    void of_acceptsThe2020_12Features() {
        ToolRegistry.of(withSchema("modern", "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                + "\"$defs\":{\"p\":{\"type\":\"string\"}},\"properties\":{\"a\":{\"$ref\":\"#/$defs/p\"},"
                + "\"t\":{\"type\":\"array\",\"prefixItems\":[{\"type\":\"integer\"}]}}}", null));
    }
}
