package dev.agentd.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/** A grant asked for (by a manifest, an admin or a parent agent); the broker assigns the id. */
public record GrantRequest(GrantKind kind, String value, OptionalLong maxInvocations, Optional<Rate> rate,
                           Optional<Instant> expiresAt) {
    public GrantRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(maxInvocations, "maxInvocations");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (maxInvocations.isPresent() && maxInvocations.getAsLong() < 0) {
            throw new IllegalArgumentException("maxInvocations must be >= 0, got " + maxInvocations.getAsLong());
        }
    }

    /** An unconstrained grant of {@code kind: value}. */
    public static GrantRequest of(GrantKind kind, String value) {
        return new GrantRequest(kind, value, OptionalLong.empty(), Optional.empty(), Optional.empty());
    }

    public GrantRequest withMaxInvocations(long max) {
        return new GrantRequest(kind, value, OptionalLong.of(max), rate, expiresAt);
    }

    public GrantRequest withRate(Rate r) {
        return new GrantRequest(kind, value, maxInvocations, Optional.of(r), expiresAt);
    }

    public GrantRequest withExpiresAt(Instant at) {
        return new GrantRequest(kind, value, maxInvocations, rate, Optional.of(at));
    }

    /** Manifest-like spelling used in messages, e.g. {@code file_read: /data/**}. */
    public String describe() {
        return kind.key() + ": " + value;
    }
}
