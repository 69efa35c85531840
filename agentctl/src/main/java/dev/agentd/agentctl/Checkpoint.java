package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A typed view of one checkpoint's catalog entry ({@code docs/admin-api.md},
 * "Checkpoint record").
 *
 * @param json the entry as agentd sent it
 */
public record Checkpoint(JsonNode json) implements JsonResult {
    public String id() {
        return json.path("id").asText();
    }

    public String agentId() {
        return json.path("agent_id").asText();
    }

    public String agentName() {
        return json.path("agent_name").asText();
    }

    public Instant createdAt() {
        return Instant.parse(json.path("created_at").asText());
    }

    public long sizeBytes() {
        return json.path("size_bytes").asLong();
    }

    /** The checkpoint an incremental one builds on, or null. */
    public String parent() {
        return json.path("parent").isTextual() ? json.get("parent").asText() : null;
    }

    public String origin() {
        return json.path("origin").asText("local");
    }

    public long dumpMillis() {
        return json.path("dump_ms").asLong();
    }
}
