package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code mcp.list}: {@code {"servers": [server, ...]}}, the
 * external MCP servers agentd.yaml configures.
 *
 * @param json the result as agentd sent it
 */
public record McpServers(JsonNode json) implements JsonResult {
    /** The servers, in agentd's order. */
    public List<McpServer> servers() {
        List<McpServer> out = new ArrayList<>();
        json.path("servers").forEach(n -> out.add(new McpServer(n)));
        return out;
    }
}
