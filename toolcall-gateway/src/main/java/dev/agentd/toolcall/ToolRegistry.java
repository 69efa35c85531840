package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The tools a gateway can dispatch to, by name; immutable and shareable between
 * gateways. Schemas are compiled here, once, so a tool with a broken schema is
 * rejected when agentd starts rather than when an agent first calls it.
 */
public final class ToolRegistry {
    /** MCP's recommended tool-name alphabet and length (2025-11-25, "Tool names"). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    private final Map<String, Entry> entries;

    record Entry(Tool tool, JsonSchema input, Optional<JsonSchema> output) {}

    private ToolRegistry(Map<String, Entry> entries) {
        this.entries = entries;
    }

    public static ToolRegistry of(Tool... tools) {
        return of(List.of(tools));
    }

    /**
     * @throws IllegalArgumentException on a duplicate or malformed name, or a schema that is not a
     *                                  JSON Schema of an object
     */
    public static ToolRegistry of(Collection<? extends Tool> tools) {
        Map<String, Entry> m = new TreeMap<>();
        for (Tool t : tools) {
            String name = Objects.requireNonNull(t.name(), "tool name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("tool name \"" + name + "\" must match " + NAME.pattern());
            }
            JsonNode in = Objects.requireNonNull(t.inputSchema(), name + ": inputSchema");
            // MCP: "inputSchema: a JSON Schema object defining the expected parameters"; its
            // type must be "object" because arguments are always an object.
            if (!in.isObject() || !"object".equals(in.path("type").asText())) {
                throw new IllegalArgumentException("tool " + name + ": inputSchema must be a schema with \"type\": \"object\"");
            }
            Optional<JsonNode> outSchema = Objects.requireNonNull(t.outputSchema(), name + ": outputSchema");
            if (outSchema.isPresent() && !"object".equals(outSchema.get().path("type").asText())) {
                // structuredContent is a JSON object in MCP, so its schema describes an object.
                throw new IllegalArgumentException("tool " + name + ": outputSchema must be a schema with \"type\": \"object\"");
            }
            Entry e = new Entry(t, Schemas.compile(in, "tool " + name + " inputSchema"),
                    outSchema.map(s -> Schemas.compile(s, "tool " + name + " outputSchema")));
            if (m.putIfAbsent(name, e) != null) {
                throw new IllegalArgumentException("two tools are named \"" + name + "\"");
            }
        }
        return new ToolRegistry(Map.copyOf(m));
    }

    public Optional<Tool> get(String name) {
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.tool());
    }

    /** All tools, sorted by name (so {@code tools/list} is stable). */
    public List<Tool> tools() {
        List<Tool> out = new ArrayList<>();
        new TreeMap<>(entries).values().forEach(e -> out.add(e.tool()));
        return out;
    }

    /**
     * Validation messages of {@code arguments} against the tool's input schema
     * (empty when valid), for callers that run a tool outside a gateway (the
     * admin's {@code tool.call}).
     *
     * @throws IllegalArgumentException for an unknown tool
     */
    public List<String> validateArguments(String name, JsonNode arguments) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("Unknown tool: " + name);
        }
        return Schemas.validate(e.input(), arguments);
    }

    Entry entry(String name) {
        return entries.get(name);
    }
}
