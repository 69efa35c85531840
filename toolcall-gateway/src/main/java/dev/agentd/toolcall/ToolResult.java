package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a tool call, as MCP's {@code CallToolResult}.
 *
 * @param content           MCP content blocks ({@code {"type":"text","text":...}} at least)
 * @param structuredContent a JSON object matching the tool's output schema, when it has one
 * @param isError           true when the call failed in a way the model should see
 */
public record ToolResult(List<JsonNode> content, Optional<JsonNode> structuredContent, boolean isError) {
    public ToolResult {
        content = List.copyOf(Objects.requireNonNull(content, "content"));
        structuredContent = Objects.requireNonNull(structuredContent, "structuredContent");
    }

    /** A successful result of one text block. */
    public static ToolResult text(String text) {
        return new ToolResult(List.of(textBlock(text)), Optional.empty(), false);
    }

    /** A failed result of one text block saying why. */
    public static ToolResult error(String message) {
        return new ToolResult(List.of(textBlock(message)), Optional.empty(), true);
    }

    /**
     * A successful structured result. MCP asks servers that return structured content
     * to also return it serialized in a text block for clients that only read text;
     * {@code text} is that block (pass {@code value.toString()} when nothing better).
     */
    public static ToolResult structured(JsonNode value, String text) {
        return new ToolResult(List.of(textBlock(text)), Optional.of(value), false);
    }

    static ObjectNode textBlock(String text) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", "text");
        n.put("text", text);
        return n;
    }
}
