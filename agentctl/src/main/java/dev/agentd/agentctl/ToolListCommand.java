package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl tool list ID}: the tools an agent holds a grant for. */
@Command(name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        header = "List the tools an agent may call.",
        description = {
            "Prints a table NAME DESCRIPTION of the tools the agent holds a `tool` grant for, with the "
                    + "first line of each description. --json prints agentd's result, which also has each "
                    + "tool's inputSchema (the arguments `agentctl tool call` takes) and outputSchema."},
        footer = {
            "%nEXAMPLES",
            "  agentctl tool list researcher",
            "  agentctl tool list researcher --json | jq '.tools[] | {name, inputSchema}'"})
final class ToolListCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Tools tools = agentd.tools(id);
            common.print(tools, Human.tools(tools));
        }
        return ExitCodes.OK;
    }
}
