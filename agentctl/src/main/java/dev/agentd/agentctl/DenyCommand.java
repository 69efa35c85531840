package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl deny ID}: decide a pending tool call. */
@Command(name = "deny",
        mixinStandardHelpOptions = true,
        header = "Deny a pending tool call.",
        description = {
            "Refuses the pending tool call ID (see `agentctl approvals`): the agent gets an error "
                    + "instead of a result. Prints the decision, which is audited with you as the actor."},
        footer = {
            "%nEXAMPLES",
            "  agentctl deny 3f2a9c01",
            "  agentctl approvals --json | jq -r '.approvals[].id' | xargs -n1 agentctl deny"})
final class DenyCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The approval's id, from `agentctl approvals`.")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Approval a = agentd.decide(id, false);
            common.print(a, Human.decision(a));
        }
        return ExitCodes.OK;
    }
}
