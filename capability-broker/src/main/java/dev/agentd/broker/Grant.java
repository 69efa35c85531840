package dev.agentd.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One capability held by one agent. {@code parentGrantId} is the parent agent's grant this one was
 * narrowed from: invocations are counted on the whole chain, so a child's call consumes the
 * parent's budget too.
 *
 * @param id             assigned by the broker
 * @param value          tool name; absolute path or {@code /x/**} subtree; {@code host} or
 *                       {@code host:port}; agent name; secret name; provider name
 * @param maxInvocations total invocations this grant allows over its life, if limited
 */
public record Grant(long id, String agentId, GrantKind kind, String value, OptionalLong maxInvocations,
                    Optional<Rate> rate, Optional<Instant> expiresAt, OptionalLong parentGrantId,
                    boolean revoked) {
    public Grant {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(maxInvocations, "maxInvocations");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(parentGrantId, "parentGrantId");
    }

    /** Manifest-like spelling used in messages, e.g. {@code grant 7 (tool: echo)}. */
    public String describe() {
        return "grant " + id + " (" + kind.key() + ": " + value + ")";
    }
}
