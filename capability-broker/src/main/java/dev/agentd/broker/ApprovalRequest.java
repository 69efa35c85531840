package dev.agentd.broker;

import java.time.Instant;
import java.util.Objects;

/**
 * A tool call waiting for a person's yes or no. Bound to the agent, the tool and the SHA-256 of the
 * call's arguments, so an approval cannot be reused for another call.
 *
 * @param id         a short random string a person can type ({@code agentctl approve k3xq9m2a})
 * @param argsSha256 lowercase hex
 * @param preview    a redacted preview of the arguments for the person deciding
 * @param state      as of when this value was read
 */
public record ApprovalRequest(String id, String agentId, String tool, String argsSha256, String preview,
                              Instant createdAt, Instant expiresAt, ApprovalState state) {
    public ApprovalRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(argsSha256, "argsSha256");
        Objects.requireNonNull(preview, "preview");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(state, "state");
    }
}
