package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code caps.revoke}: {@code {"revoked": [7, 9], "agents":
 * ["abcd1234", "ef012345"]}}, the grant and every grant derived from it.
 *
 * @param json the result as agentd sent it
 */
public record Revocation(JsonNode json) implements JsonResult {
    /** The ids of the grants revoked. */
    public List<String> revoked() {
        List<String> out = new ArrayList<>();
        json.path("revoked").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** The agents that held them. */
    public List<String> agents() {
        List<String> out = new ArrayList<>();
        json.path("agents").forEach(n -> out.add(n.asText()));
        return out;
    }
}
