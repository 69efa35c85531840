package dev.agentd.agentctl;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl status ID...}: everything agentd knows about agents. */
@Command(name = "status",
        mixinStandardHelpOptions = true,
        header = "Show one agent's state, resources and dropped rules.",
        description = {
            "Prints the agent record as a key: value block: state, pid, uid, times, restarts, the manifest "
                    + "it came from, resource use read from its cgroup (memory, CPU time, tasks, OOM kills) "
                    + "and the sandbox rules that best-effort mode dropped on this kernel.",
            "",
            "With several IDs, one block each, separated by a blank line (--json: an array, an "
                    + "{\"id\", \"error\"} object for each that failed); the exit status is that of the first failure."},
        footer = {
            "%nEXAMPLES",
            "  agentctl status a1b2c3d4",
            "  agentctl status researcher crawler --json | jq '.[].state'",
            "  agentctl status researcher --json | jq .resources.memory_peak"})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "The agent's id, or its name when unique.")
    private List<String> ids;

    @Override
    public Integer call() throws Exception {
        boolean[] first = {true};
        return EachId.run(common, ids, AdminClient::status, (agent, several) -> {
            String block = Human.status(agent, common.now());
            if (several && !first[0]) {
                block = "\n" + block;
            }
            first[0] = false;
            return block;
        });
    }
}
