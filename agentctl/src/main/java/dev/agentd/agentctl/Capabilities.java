package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code caps.list}: {@code {"grants": [grant, ...],
 * "on_behalf_of": ["agent:abcd1234", "admin:0"]}}.
 *
 * @param json the result as agentd sent it
 */
public record Capabilities(JsonNode json) implements JsonResult {
    /** The agent's grants, in agentd's order. */
    public List<Grant> grants() {
        List<Grant> out = new ArrayList<>();
        json.path("grants").forEach(n -> out.add(new Grant(n)));
        return out;
    }

    /** The chain of principals the agent acts for, itself first. */
    public List<String> onBehalfOf() {
        List<String> out = new ArrayList<>();
        json.path("on_behalf_of").forEach(n -> out.add(n.asText()));
        return out;
    }
}
