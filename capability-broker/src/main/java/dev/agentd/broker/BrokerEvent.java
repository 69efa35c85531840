package dev.agentd.broker;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One change of the broker's state, for agentd's audit log. Details are strings keyed by name in a
 * stable order (so a hash-chained audit record is reproducible). Never carries a secret value.
 *
 * @param agentId the agent the event is about, if any (vault events have none)
 */
public record BrokerEvent(Type type, Instant at, Optional<String> agentId, Map<String, String> details) {

    public enum Type {
        AGENT_REGISTERED,
        /** An admin (or a top-level manifest) gave a grant. */
        GRANTED,
        /** A grant was narrowed from a parent agent's grant. */
        DELEGATED,
        REVOKED,
        /** An invocation was consumed ({@link Broker#authorize}, {@link SecretVault#reveal}). */
        AUTHORIZED,
        /** {@link Broker#authorize} refused; {@link Broker#check} does not emit. */
        DENIED,
        AGENT_FORGOTTEN,
        APPROVAL_REQUESTED,
        APPROVED,
        DENIED_APPROVAL,
        APPROVAL_CONSUMED,
        SECRET_SET,
        SECRET_DELETED,
        SECRET_USED
    }

    public BrokerEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(agentId, "agentId");
        details = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(details, "details")));
    }
}
