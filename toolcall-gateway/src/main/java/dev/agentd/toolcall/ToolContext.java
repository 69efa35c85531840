package dev.agentd.toolcall;

import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import java.util.List;
import java.util.Optional;

/**
 * What a tool may ask the broker on behalf of the calling agent. Bound to that
 * agent: a tool cannot ask about another one.
 */
public interface ToolContext {
    /**
     * Checks and CONSUMES one invocation of the covering grant, e.g.
     * {@code authorize(FILE_READ, "/data/x.txt")} or {@code authorize(NET, "example.com:443")}.
     */
    Decision authorize(GrantKind kind, String value);

    /** The agent's live grants of one kind (e.g. to find the root a file grant covers). */
    List<Grant> grants(GrantKind kind);

    /**
     * The secret's value when the agent holds a live {@code secret:} grant for it
     * (consumes an invocation); empty otherwise. Callers should zero the array after use.
     */
    Optional<byte[]> revealSecret(String name);

    /**
     * Where a directory the agent names — as its sandbox sees it — is on the
     * host where tools run. The same path for everything bound in at its own
     * place; agentd maps the agent's {@code /workspace} to the workspace
     * directory it keeps for that agent.
     */
    default java.nio.file.Path hostPath(java.nio.file.Path sandboxPath) {
        return sandboxPath;
    }
}
