package dev.agentd.agentctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agentctl tool ...}: the tools an agent may call, and calling them as it would. */
@Command(name = "tool",
        mixinStandardHelpOptions = true,
        header = "List an agent's tools, or call one with its grants.",
        description = {
            "Tools are what agents act through (MCP tools/call). An agent sees the tools it holds a "
                    + "`tool` grant for (see `agentctl grant`).",
            "",
            "`tool call` runs a tool on an agent's behalf, as the agent would: with its grants, counted "
                    + "against their limits, and audited with you as the actor. Useful to check a grant "
                    + "works before the agent relies on it."},
        subcommands = {ToolListCommand.class, ToolCallCommand.class},
        footer = {
            "%nEXAMPLES",
            "  agentctl tool list researcher",
            "  agentctl tool call researcher echo text=hello"})
final class ToolCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    /** {@code agentctl tool} alone is a usage error: it only groups subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing required subcommand (try: agentctl tool list ID, agentctl tool call ID NAME)");
    }
}
