package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentctl approvals}: tool calls waiting for an admin's decision. */
@Command(name = "approvals",
        mixinStandardHelpOptions = true,
        header = "List tool calls waiting for approval.",
        description = {
            "Some grants require an admin to approve each call. Such a call waits until someone runs "
                    + "`agentctl approve ID` or `agentctl deny ID`, or until it expires (then it is "
                    + "denied). This prints the pending ones:",
            "",
            "  ID AGENT TOOL AGE EXPIRES PREVIEW",
            "",
            "PREVIEW says what the call would do. It comes from the agent's request, so agentctl shows "
                    + "line breaks as \\n and control or invisible characters as \\uXXXX rather than "
                    + "letting them act on your terminal; it is never cut short. --json has args_sha256, "
                    + "the hash of the exact arguments the decision applies to."},
        footer = {
            "%nEXAMPLES",
            "  agentctl approvals",
            "  agentctl approvals --json | jq -r '.approvals[] | select(.tool == \"shell\") | .id'"})
final class ApprovalsCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Approvals a = agentd.approvals();
            common.print(a, Human.approvals(a, common.now()));
        }
        return ExitCodes.OK;
    }
}
