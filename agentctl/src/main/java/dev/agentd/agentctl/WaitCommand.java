package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl wait ID}: block until an agent exits, exit with its status. */
@Command(name = "wait",
        mixinStandardHelpOptions = true,
        header = "Wait for an agent to exit and exit with its status.",
        description = {
            "Blocks until the agent has exited, prints how it ended, and exits with the agent's exit code "
                    + "(128+N when signal N killed it). Returns at once for an agent that already exited. "
                    + "With --timeout, gives up after that many seconds with status 1."},
        footer = {
            "%nEXAMPLES",
            "  id=$(agentctl spawn job.yaml); agentctl wait \"$id\"; echo \"job ended with $?\"",
            "  agentctl wait --timeout 600 researcher"})
final class WaitCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "0",
            description = "Give up after SECONDS; 0 waits forever. Default: ${DEFAULT-VALUE}.")
    private long timeout;

    @Override
    public Integer call() throws Exception {
        if (timeout < 0) {
            throw new CliException(ExitCodes.USAGE, "--timeout must be 0 or more, not " + timeout);
        }
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.waitFor(id, timeout);
            common.print(agent, agent.id() + ": " + Human.endingLong(agent) + "\n");
            return ExitCodes.forAgent(agent);
        }
    }
}
