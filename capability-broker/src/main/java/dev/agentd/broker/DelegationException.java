package dev.agentd.broker;

import java.util.Objects;

/**
 * A child was asked to receive a grant its parent does not hold ("you can only give what you
 * have"). Carries the offending request and why no parent grant covers it; the registration or
 * grant was not made, in whole.
 */
public final class DelegationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient GrantRequest request;
    private final String reason;

    public DelegationException(String childAgentId, String parentAgentId, GrantRequest request, String reason) {
        super("cannot delegate \"" + request.describe() + "\" to agent \"" + childAgentId + "\": " + reason
                + " (parent agent \"" + parentAgentId + "\" can only give what it has)");
        this.request = Objects.requireNonNull(request, "request");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The grant that could not be delegated. */
    public GrantRequest request() {
        return request;
    }

    /** Why, e.g. {@code parent grant 7 (file_read: /a/**) does not cover /b}. */
    public String reason() {
        return reason;
    }
}
