package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code approval.list}: {@code {"approvals": [approval, ...]}}, the pending ones.
 *
 * @param json the result as agentd sent it
 */
public record Approvals(JsonNode json) implements JsonResult {
    /** The approvals, in agentd's order. */
    public List<Approval> approvals() {
        List<Approval> out = new ArrayList<>();
        json.path("approvals").forEach(n -> out.add(new Approval(n)));
        return out;
    }
}
