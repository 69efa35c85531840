package dev.agentd.manifest;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Optional limits on a {@link Grant}, enforced by the capability broker.
 *
 * @param maxInvocations how many times the grant may be used in total (positive)
 * @param rate           how often it may be used
 * @param expires        when it stops working
 */
public record GrantConstraints(OptionalLong maxInvocations, Optional<Rate> rate, Optional<Expiry> expires) {

    /** No constraints. */
    public static final GrantConstraints NONE = new GrantConstraints(OptionalLong.empty(), Optional.empty(), Optional.empty());

    public GrantConstraints {
        Objects.requireNonNull(maxInvocations, "maxInvocations");
        Objects.requireNonNull(rate, "rate");
        Objects.requireNonNull(expires, "expires");
        if (maxInvocations.isPresent() && maxInvocations.getAsLong() <= 0) {
            throw new IllegalArgumentException("maxInvocations must be positive, got " + maxInvocations.getAsLong());
        }
    }

    /** True when nothing is constrained. */
    public boolean isEmpty() {
        return maxInvocations.isEmpty() && rate.isEmpty() && expires.isEmpty();
    }
}
