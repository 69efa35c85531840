package dev.agentd.agentctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agentctl mcp ...}: the external MCP servers agentd runs, and re-approving them. */
@Command(name = "mcp",
        mixinStandardHelpOptions = true,
        header = "List external MCP servers, or re-approve a quarantined one.",
        description = {
            "External MCP servers come from agentd's configuration, agentd.yaml (`mcp_servers:`). "
                    + "agentd runs each in its own sandbox and offers its tools to agents as SERVER.TOOL "
                    + "(e.g. calc.add), granted like any other tool (see `agentctl grant`).",
            "",
            "Each tool definition (its name, description and schemas: what an agent's model reads) is "
                    + "pinned by its hash the first time agentd sees it. If a server later presents a "
                    + "changed definition, agentd quarantines the whole server: its tools are left out of "
                    + "agents' tool lists and every call to them is refused, so a changed description "
                    + "never reaches a model.",
            "",
            "A server stays quarantined until an admin reviews it (its new definitions, its source) and "
                    + "re-approves it with `agentctl mcp approve NAME`, which pins the definitions it "
                    + "presents now and lifts the quarantine. Both the quarantine and the approval are "
                    + "audited (`agentctl audit`)."},
        subcommands = {McpListCommand.class, McpApproveCommand.class},
        footer = {
            "%nEXAMPLES",
            "  agentctl mcp list",
            "  agentctl mcp approve calc"})
final class McpCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    /** {@code agentctl mcp} alone is a usage error: it only groups subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing required subcommand (try: agentctl mcp list, agentctl mcp approve NAME)");
    }
}
