package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl stop ID}: ask an agent to end, then make it. */
@Command(name = "stop",
        mixinStandardHelpOptions = true,
        header = "Stop an agent: SIGTERM, then SIGKILL after a grace period.",
        description = {
            "agentd sends SIGTERM to the agent, waits up to --grace seconds for it to exit, then kills "
                    + "it with SIGKILL. Returns once the agent has ended and prints how it ended. "
                    + "A stopped agent is not restarted, whatever its restart policy."},
        footer = {
            "%nEXAMPLES",
            "  agentctl stop a1b2c3d4",
            "  agentctl stop --grace 0 researcher    # SIGKILL at once"})
final class StopCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Option(names = {"-g", "--grace"}, paramLabel = "SECONDS", defaultValue = "10",
            description = "Seconds between SIGTERM and SIGKILL. Default: ${DEFAULT-VALUE}.")
    private int grace;

    @Override
    public Integer call() throws Exception {
        if (grace < 0) {
            throw new CliException(ExitCodes.USAGE, "--grace must be 0 or more, not " + grace);
        }
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.stop(id, grace);
            common.print(agent, agent.id() + ": " + Human.endingLong(agent) + "\n");
        }
        return ExitCodes.OK;
    }
}
