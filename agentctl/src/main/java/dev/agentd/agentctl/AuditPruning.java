package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The result of {@code audit.prune}: {@code {"before": TIME, "pruned": N,
 * "from_seq": N, "to_seq": N, "anchor_hash": HEX, "record": SEQ}}.
 *
 * @param json the result as agentd sent it
 */
public record AuditPruning(JsonNode json) implements JsonResult {
    /** How many records were deleted. */
    public long pruned() {
        return json.path("pruned").asLong(0);
    }

    public long fromSeq() {
        return json.path("from_seq").asLong(0);
    }

    public long toSeq() {
        return json.path("to_seq").asLong(0);
    }

    /** The {@code audit.prune} record that says who pruned what. */
    public long record() {
        return json.path("record").asLong(0);
    }
}
