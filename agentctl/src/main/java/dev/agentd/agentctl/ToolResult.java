package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code tool.call}, MCP's {@code tools/call} result:
 * {@code {"content": [{"type": "text", "text": ...}, ...],
 * "structuredContent"?: {...}, "isError": false}}.
 *
 * @param json the result as agentd sent it
 */
public record ToolResult(JsonNode json) implements JsonResult {
    /** True when the tool reported a failure (the call itself reached it). */
    public boolean isError() {
        return json.path("isError").asBoolean(false);
    }

    /** The text of the {@code text} content blocks, in order. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        json.path("content").forEach(b -> {
            if ("text".equals(Agent.text(b, "type"))) {
                out.add(b.path("text").asText(""));
            }
        });
        return out;
    }

    /** The types of the content blocks that are not text ({@code image}, {@code resource}, ...). */
    public List<String> otherTypes() {
        List<String> out = new ArrayList<>();
        json.path("content").forEach(b -> {
            String type = Agent.text(b, "type");
            if (!"text".equals(type)) {
                out.add(type == null ? "unknown" : type);
            }
        });
        return out;
    }

    /** The structured result, or {@code null} when the tool returned none. */
    public JsonNode structuredContent() {
        JsonNode s = json.get("structuredContent");
        return s == null || s.isNull() ? null : s;
    }
}
