package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl approve ID}: decide a pending tool call. */
@Command(name = "approve",
        mixinStandardHelpOptions = true,
        header = "Approve a pending tool call.",
        description = {
            "Lets the pending tool call ID (see `agentctl approvals`) run, with exactly the arguments "
                    + "it was previewed with, and prints the decision. The decision is audited with you "
                    + "as the actor."},
        footer = {
            "%nEXAMPLES",
            "  agentctl approve 3f2a9c01",
            "  agentctl approve 3f2a9c01 --json | jq -r .state"})
final class ApproveCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The approval's id, from `agentctl approvals`.")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Approval a = agentd.decide(id, true);
            common.print(a, Human.decision(a));
        }
        return ExitCodes.OK;
    }
}
