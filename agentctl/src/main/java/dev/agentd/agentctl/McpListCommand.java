package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentctl mcp list}: the external MCP servers and their state. */
@Command(name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        header = "List external MCP servers.",
        description = {
            "Prints a table of the MCP servers agentd.yaml configures:",
            "",
            "  NAME STATE TOOLS PROBLEM",
            "",
            "STATE is starting, running, quarantined (a tool definition changed since it was pinned: "
                    + "its tools are unlisted and refused until `agentctl mcp approve NAME`), failed or "
                    + "stopped. TOOLS are the names agents see (SERVER.TOOL), comma-separated. PROBLEM "
                    + "says why a server is not running; it may quote the server, so agentctl shows "
                    + "control or invisible characters as \\uXXXX."},
        footer = {
            "%nEXAMPLES",
            "  agentctl mcp list",
            "  agentctl mcp list --json | jq -r '.servers[] | select(.state == \"quarantined\") | .name'"})
final class McpListCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            McpServers m = agentd.mcpServers();
            common.print(m, Human.mcpServers(m));
        }
        return ExitCodes.OK;
    }
}
