package dev.agentd.agentctl;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl stop ID...}: ask agents to end, then make them. */
@Command(name = "stop",
        mixinStandardHelpOptions = true,
        header = "Stop an agent: SIGTERM, then SIGKILL after a grace period.",
        description = {
            "agentd sends SIGTERM to the agent, waits up to --grace seconds for it to exit, then kills "
                    + "it with SIGKILL. Returns once the agent has ended and prints how it ended. "
                    + "A stopped agent is not restarted, whatever its restart policy.",
            "",
            "With several IDs, all are stopped at once, each reported on its own line in the order given "
                    + "(--json: an array, an {\"id\", \"error\"} object for each that failed); one that "
                    + "fails does not keep the others running, and the exit status is that of the first failure."},
        footer = {
            "%nEXAMPLES",
            "  agentctl stop a1b2c3d4",
            "  agentctl stop researcher crawler       # both at once",
            "  agentctl stop --grace 0 researcher    # SIGKILL at once"})
final class StopCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "The agent's id, or its name when unique.")
    private List<String> ids;

    @Option(names = {"-g", "--grace"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between SIGTERM and SIGKILL. Default: ${DEFAULT-VALUE}.")
    private int grace;

    @Override
    public Integer call() throws Exception {
        if (grace < 0) {
            throw new CliException(ExitCodes.USAGE, "--grace must be 0 or more, not " + grace);
        }
        return EachId.run(common, ids, (agentd, id) -> agentd.stop(id, grace),
                (agent, several) -> agent.id() + ": " + Human.endingLong(agent) + "\n", true);
    }
}
