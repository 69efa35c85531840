package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code audit.verify}: {@code {"ok": true, "records": 42,
 * "problems": []}}.
 *
 * @param json the result as agentd sent it
 */
public record AuditVerification(JsonNode json) implements JsonResult {
    /**
     * True when the chain and the head file agree with every record. Any
     * problem listed makes it false, whatever {@code ok} says: a tampered log
     * must not pass because of one inconsistent field.
     */
    public boolean intact() {
        return json.path("ok").asBoolean(false) && problems().isEmpty();
    }

    /** How many records were checked. */
    public long records() {
        return json.path("records").asLong(0);
    }

    /** One sentence per problem, each naming the record (edited, inserted, deleted). */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        json.path("problems").forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        return out;
    }
}
