package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl status ID}: everything agentd knows about one agent. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        header = "Show one agent's state, resources and dropped rules.",
        description = {
            "Prints the agent record as a key: value block: state, pid, uid, times, restarts, the manifest "
                    + "it came from, resource use read from its cgroup (memory, CPU time, tasks, OOM kills) "
                    + "and the sandbox rules that best-effort mode dropped on this kernel."},
        footer = {
            "%nEXAMPLES",
            "  agentctl status a1b2c3d4",
            "  agentctl status researcher --json | jq .resources.memory_peak"})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.status(id);
            common.print(agent, Human.status(agent, common.now()));
        }
        return ExitCodes.OK;
    }
}
