package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One audit record, from {@code audit.list} or an {@code audit.record}
 * notification: {@code {"seq", "time", "actor_uid", "agent", "event",
 * "details", "hash"}}.
 *
 * @param json the record as agentd sent it
 */
public record AuditRecord(JsonNode json) implements JsonResult {
    public AuditRecord {
        Objects.requireNonNull(json, "json");
    }

    /** Position in the log, from 1. */
    public Long seq() {
        return Agent.longValue(json, "seq");
    }

    /** When it was recorded, RFC 3339 as agentd wrote it. */
    public String time() {
        return Agent.text(json, "time");
    }

    /** The admin peer who asked; {@code null} for agentd's own actions. */
    public Long actorUid() {
        return Agent.longValue(json, "actor_uid");
    }

    /** The agent's id, or {@code null} for records about agentd itself. */
    public String agent() {
        return Agent.text(json, "agent");
    }

    /** {@code spawn}, {@code exit}, {@code tool.call}, ... */
    public String event() {
        return Agent.text(json, "event");
    }

    /** The event's details object; a missing node when absent. */
    public JsonNode details() {
        return json.path("details");
    }
}
