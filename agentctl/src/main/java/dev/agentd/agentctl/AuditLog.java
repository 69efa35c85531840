package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code audit.list}: {@code {"records": [...]}}, oldest first.
 *
 * @param json the result as agentd sent it
 */
public record AuditLog(JsonNode json) implements JsonResult {
    /** The records, in agentd's order. */
    public List<AuditRecord> records() {
        List<AuditRecord> out = new ArrayList<>();
        json.path("records").forEach(n -> out.add(new AuditRecord(n)));
        return out;
    }
}
