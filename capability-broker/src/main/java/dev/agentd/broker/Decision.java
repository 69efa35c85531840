package dev.agentd.broker;

import java.util.Objects;

/** The broker's answer to an authorization: the grant that allowed it, or a reason a person can read. */
public sealed interface Decision permits Decision.Allowed, Decision.Denied {

    record Allowed(Grant grant) implements Decision {
        public Allowed {
            Objects.requireNonNull(grant, "grant");
        }
    }

    record Denied(String reason) implements Decision {
        public Denied {
            Objects.requireNonNull(reason, "reason");
        }
    }

    default boolean isAllowed() {
        return this instanceof Allowed;
    }

    static Decision allowed(Grant g) {
        return new Allowed(g);
    }

    static Decision denied(String reason) {
        return new Denied(reason);
    }
}
