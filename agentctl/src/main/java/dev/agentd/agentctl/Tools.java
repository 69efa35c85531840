package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code tool.list}: {@code {"tools": [{"name", "description",
 * "inputSchema", "outputSchema"?}]}}.
 *
 * @param json the result as agentd sent it
 */
public record Tools(JsonNode json) implements JsonResult {
    /** One tool: its name and what it does. */
    public record Tool(String name, String description) {}

    /** The tools, in agentd's order. */
    public List<Tool> tools() {
        List<Tool> out = new ArrayList<>();
        json.path("tools").forEach(n -> out.add(new Tool(Agent.text(n, "name"), Agent.text(n, "description"))));
        return out;
    }
}
