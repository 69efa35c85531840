package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An external MCP server as agentd sees it: {@code {"name", "state",
 * "problem", "tools"}}.
 *
 * @param json the server as agentd sent it
 */
public record McpServer(JsonNode json) implements JsonResult {
    /** State of a server whose tool definitions changed since they were pinned. */
    public static final String QUARANTINED = "quarantined";

    public McpServer {
        Objects.requireNonNull(json, "json");
    }

    /** Its name in agentd.yaml ({@code mcp_servers[].name}); what {@code agentctl mcp approve} takes. */
    public String name() {
        return Agent.text(json, "name");
    }

    /** {@code starting}, {@code running}, {@code quarantined}, {@code failed} or {@code stopped}. */
    public String state() {
        return Agent.text(json, "state");
    }

    /** Why it is not running, or {@code null}. May quote the server: print it escaped. */
    public String problem() {
        return Agent.text(json, "problem");
    }

    /** Its tools as agents see them ({@code SERVER.TOOL}). Named by the server: print them escaped. */
    public List<String> tools() {
        List<String> out = new ArrayList<>();
        json.path("tools").forEach(n -> out.add(n.asText()));
        return out;
    }
}
