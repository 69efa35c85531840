package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl mcp approve NAME}: accept an MCP server's current tool definitions. */
@Command(name = "approve",
        mixinStandardHelpOptions = true,
        header = "Re-approve an MCP server: pin its current tool definitions.",
        description = {
            "Pins the tool definitions MCP server NAME presents now, in place of those pinned before, "
                    + "and lifts its quarantine, so its tools are listed and callable again. Review what "
                    + "changed first (`agentctl audit` has the quarantine and the changed tools): after "
                    + "this, agents' models read the new descriptions.",
            "",
            "Prints how many tool definitions were pinned and the server's state. The approval is "
                    + "audited with you as the actor."},
        footer = {
            "%nEXAMPLES",
            "  agentctl mcp approve calc",
            "  agentctl mcp approve calc --json | jq -r .state"})
final class McpApproveCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "The server's name in agentd.yaml, from `agentctl mcp list`.")
    private String name;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            McpServer s = agentd.approveMcp(name);
            common.print(s, Human.mcpApproved(s, name));
        }
        return ExitCodes.OK;
    }
}
