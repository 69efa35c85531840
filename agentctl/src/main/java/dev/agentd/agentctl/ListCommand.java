package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentctl list}: one line per agent. */
@Command(name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        header = "List agents.",
        description = {
            "Prints a table of agents: ID NAME STATE PID UPTIME/EXIT RESTARTS. UPTIME/EXIT is the time "
                    + "since the agent started while it runs, and how it ended (exit N, or the signal) once "
                    + "it exited. Exited agents are left out unless --all is given."},
        footer = {
            "%nEXAMPLES",
            "  agentctl list",
            "  agentctl list --all --json | jq -r '.agents[].id'"})
final class ListCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Option(names = {"-a", "--all"}, description = "Include agents that exited.")
    private boolean all;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            AgentList list = agentd.list(all);
            common.print(list, Human.table(list.agents(), common.now()));
        }
        return ExitCodes.OK;
    }
}
