package dev.agentd.toolcall;

import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.SecretVault;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker as one agent's gateway sees it: bound to that agent, so nothing the
 * agent sends can make the gateway ask about another one. agentd builds it with
 * {@link #forAgent}; tests use fakes.
 *
 * <p>Extends {@link ToolContext} (what tools may ask) with what only the gateway asks.
 * Not to be confused with {@code dev.agentd.broker.Authorizer}, the broker's
 * all-agents interface this one is usually a view of.
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

    /**
     * The broker bound to {@code agentId}: {@code authorize}/{@code check} as the broker's,
     * {@code grants} = the broker's live grants, {@code revealSecret} = the vault's (which
     * consumes the agent's {@code secret:} grant).
     */
    static Authorizer forAgent(String agentId, dev.agentd.broker.Authorizer broker, SecretVault vault,
                               ApprovalGate approvals) {
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(vault, "vault");
        Objects.requireNonNull(approvals, "approvals");
        return new Authorizer() {
            @Override
            public Decision authorize(GrantKind kind, String value) {
                return broker.authorize(agentId, kind, value);
            }

            @Override
            public Decision check(GrantKind kind, String value) {
                return broker.check(agentId, kind, value);
            }

            @Override
            public List<Grant> grants(GrantKind kind) {
                return broker.liveGrants(agentId, kind);
            }

            @Override
            public Optional<byte[]> revealSecret(String name) {
                return vault.reveal(agentId, name);
            }

            @Override
            public ApprovalGate approvals() {
                return approvals;
            }
        };
    }
}
