package dev.agentd.broker;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A grant as seen now, for {@code agentctl grants} and tools that want to explain themselves.
 *
 * @param grant                the grant as stored
 * @param usedInvocations      invocations counted on this grant (its own calls and every descendant's)
 * @param remainingInvocations the smallest remaining budget over the grant's chain; empty if unlimited
 * @param effectiveExpiresAt   the earliest expiry over the grant's chain; empty if none
 * @param state                whether {@link Broker#check} could allow it now, and if not, why
 * @param reason               the denial reason when not {@link State#LIVE}
 */
public record GrantStatus(Grant grant, long usedInvocations, OptionalLong remainingInvocations,
                          Optional<Instant> effectiveExpiresAt, State state, Optional<String> reason) {

    public enum State {
        LIVE,
        /** This grant or one it was narrowed from was revoked. */
        REVOKED,
        /** This grant or one it was narrowed from expired. */
        EXPIRED,
        /** The budget of this grant or of one it was narrowed from is used up. */
        EXHAUSTED,
        /** Rate limited at the moment; will be live again later. */
        RATE_LIMITED,
        /** The agent was forgotten; its rows stay for the audit trail. */
        AGENT_GONE
    }

    public GrantStatus {
        Objects.requireNonNull(grant, "grant");
        Objects.requireNonNull(remainingInvocations, "remainingInvocations");
        Objects.requireNonNull(effectiveExpiresAt, "effectiveExpiresAt");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
    }

    public boolean isLive() {
        return state == State.LIVE;
    }
}
