package dev.agentd.broker;

import java.util.List;

/**
 * The part of the {@link Broker} the toolcall gateway calls before every tool call and for every
 * sub-permission a tool needs (a path, a host, a secret). An interface so the gateway can be tested
 * with a fake.
 */
public interface Authorizer {

    /**
     * Finds the agent's most specific live grant covering {@code kind: value} and CONSUMES one
     * invocation on it and on every ancestor grant it was narrowed from, atomically.
     *
     * @return {@link Decision.Allowed} with the grant used, or {@link Decision.Denied} with a reason a
     *         person can read; never throws for an agent-supplied value, however malformed
     */
    Decision authorize(String agentId, GrantKind kind, String value);

    /** As {@link #authorize} but consumes nothing (for {@code tools/list}). */
    Decision check(String agentId, GrantKind kind, String value);

    /**
     * The agent's usable grants of one kind, most specific first: not revoked, expired or exhausted
     * on their chain. A momentary rate limit does not remove a grant from this list (so
     * {@code tools/list} does not flicker); {@link #authorize} still enforces it.
     */
    List<Grant> liveGrants(String agentId, GrantKind kind);
}
