package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A capability grant, as {@code caps.list} and {@code caps.grant} return it:
 * {@code {"id", "kind", "value", "max_invocations", "used", "rate",
 * "expires_at", "parent_grant_id", "revoked"}}.
 *
 * @param json the grant as agentd sent it
 */
public record Grant(JsonNode json) implements JsonResult {
    public Grant {
        Objects.requireNonNull(json, "json");
    }

    /** The grant's number, what {@code agentctl revoke} takes. */
    public Long id() {
        return Agent.longValue(json, "id");
    }

    /** {@code tool}, {@code file_read}, {@code file_write}, {@code net}, {@code spawn}, {@code secret}, {@code llm}. */
    public String kind() {
        return Agent.text(json, "kind");
    }

    /** What the grant covers: a tool name, a path, a host, ... */
    public String value() {
        return Agent.text(json, "value");
    }

    /** Invocations allowed in all, or {@code null} for no limit. */
    public Long maxInvocations() {
        return Agent.longValue(json, "max_invocations");
    }

    /** Invocations counted so far. */
    public long used() {
        Long v = Agent.longValue(json, "used");
        return v == null ? 0 : v;
    }

    /** {@code COUNT/[N]UNIT}, or {@code null} for no rate limit. */
    public String rate() {
        return Agent.text(json, "rate");
    }

    /** When it stops being valid, or {@code null} for never. */
    public Instant expiresAt() {
        return Agent.instant(json, "expires_at");
    }

    /** The grant this one was derived from, or {@code null} for one an admin made. */
    public Long parentGrantId() {
        return Agent.longValue(json, "parent_grant_id");
    }

    /** True once revoked (directly or through its parent). */
    public boolean revoked() {
        return json.path("revoked").asBoolean(false);
    }
}
