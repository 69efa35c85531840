package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A tool call waiting for (or given) an admin's decision:
 * {@code {"id", "agent", "tool", "preview", "args_sha256", "created_at",
 * "expires_at", "state"}}.
 *
 * @param json the approval as agentd sent it
 */
public record Approval(JsonNode json) implements JsonResult {
    public Approval {
        Objects.requireNonNull(json, "json");
    }

    /** What {@code agentctl approve} and {@code deny} take. */
    public String id() {
        return Agent.text(json, "id");
    }

    /** The agent that asked. */
    public String agent() {
        return Agent.text(json, "agent");
    }

    /** The tool it wants to call. */
    public String tool() {
        return Agent.text(json, "tool");
    }

    /** What the call would do, as the tool describes it. Written by the agent's request: print it escaped. */
    public String preview() {
        return Agent.text(json, "preview");
    }

    /** When the agent asked. */
    public Instant createdAt() {
        return Agent.instant(json, "created_at");
    }

    /** When the request lapses unless decided. */
    public Instant expiresAt() {
        return Agent.instant(json, "expires_at");
    }

    /** {@code pending}, {@code approved}, {@code denied}, ... */
    public String state() {
        return Agent.text(json, "state");
    }
}
