package dev.agentd.toolcall;

import dev.agentd.broker.Decision;
import dev.agentd.broker.GrantKind;

/**
 * The broker as one agent's gateway sees it: bound to that agent. agentd implements
 * it over {@code dev.agentd.broker.Broker}; tests use fakes.
 *
 * <p>Extends {@link ToolContext} (what tools may ask) with what only the gateway asks.
 */
public interface Authorizer extends ToolContext {
    /**
     * Whether a live grant covers {@code value}, WITHOUT consuming an invocation. Used to
     * decide what {@code tools/list} shows and whether a tool name is "unknown".
     */
    Decision check(GrantKind kind, String value);

    /** The approval hook for this agent's calls; {@link ApprovalGate#NONE} when approvals are not used. */
    default ApprovalGate approvals() {
        return ApprovalGate.NONE;
    }
}
