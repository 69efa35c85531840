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

    /** The agent's grants of one kind that {@link #check} could currently allow, most specific first. */
    List<Grant> liveGrants(String agentId, GrantKind kind);
}
