package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl revoke GRANT_ID}: take a capability back, with everything derived from it. */
@Command(name = "revoke",
        mixinStandardHelpOptions = true,
        header = "Revoke a grant and every grant derived from it.",
        description = {
            "Revokes grant GRANT_ID (the ID column of `agentctl caps`) and, transitively, every grant "
                    + "derived from it: what the agent passed on to agents it spawned. Takes effect at "
                    + "the next use; calls in flight finish. Prints the revoked grants and the agents that "
                    + "held them."},
        footer = {
            "%nEXAMPLES",
            "  agentctl revoke 7",
            "  agentctl revoke 7 --json | jq -r '.agents[]'"})
final class RevokeCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "GRANT_ID", description = "The grant's number.")
    private long grantId;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Revocation r = agentd.revoke(grantId);
            common.print(r, "revoked grants: " + list(String.join(", ", r.revoked()))
                    + "\naffected agents: " + list(String.join(", ", r.agents())) + "\n");
        }
        return ExitCodes.OK;
    }

    private static String list(String joined) {
        return joined.isEmpty() ? "none" : joined;
    }
}
