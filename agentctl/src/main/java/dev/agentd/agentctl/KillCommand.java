package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl kill ID}: send a signal to an agent. */
@Command(name = "kill",
        mixinStandardHelpOptions = true,
        header = "Send a signal to an agent.",
        description = {
            "Sends SIG (default KILL) to the agent's process and returns at once; use `agentctl wait` "
                    + "to wait for it to exit, or `agentctl stop` for a graceful stop. "
                    + "SIG is a name (TERM, SIGTERM, kill) or a number (15)."},
        footer = {
            "%nEXAMPLES",
            "  agentctl kill a1b2c3d4",
            "  agentctl kill --signal HUP researcher     # ask it to reload"})
final class KillCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIG", defaultValue = "KILL",
            converter = Signals.Converter.class,
            description = "Signal to send, by name or number. Default: ${DEFAULT-VALUE}.")
    private int signal;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.kill(id, signal);
            common.print(agent, "sent " + Signals.name(signal) + " to " + agent.id() + "\n");
        }
        return ExitCodes.OK;
    }
}
