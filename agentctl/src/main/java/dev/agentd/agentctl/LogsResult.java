package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code agent.logs}: {@code {"lines": [...], "eof": true}}.
 *
 * @param json the result as agentd sent it
 */
public record LogsResult(JsonNode json) implements JsonResult {
    /** The log lines in the response itself (the backlog when not following). */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        json.path("lines").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** True when the agent's output has ended (it exited). */
    public boolean eof() {
        return json.path("eof").asBoolean(false);
    }
}
