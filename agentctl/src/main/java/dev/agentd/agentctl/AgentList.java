package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code agent.list}: {@code {"agents": [agent record, ...]}}.
 *
 * @param json the result as agentd sent it
 */
public record AgentList(JsonNode json) implements JsonResult {
    /** The agents, in agentd's order. */
    public List<Agent> agents() {
        List<Agent> out = new ArrayList<>();
        json.path("agents").forEach(n -> out.add(new Agent(n)));
        return out;
    }
}
