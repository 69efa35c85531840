package dev.agentd.agentctl;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code agentctl kill ID...}: send a signal to agents. */
@Command(name = "kill",
        mixinStandardHelpOptions = true,
        header = "Send a signal to an agent.",
        description = {
            "Sends SIG (default KILL) to the agent's process and returns at once; use `agentctl wait` "
                    + "to wait for it to exit, or `agentctl stop` for a graceful stop. "
                    + "SIG is a name (TERM, SIGTERM, kill) or a number (15).",
            "",
            "With several IDs, each is signalled and reported in the order given (--json: an array, an "
                    + "{\"id\", \"error\"} object for each that failed); the exit status is that of the first failure."},
        footer = {
            "%nEXAMPLES",
            "  agentctl kill a1b2c3d4",
            "  agentctl kill -s TERM researcher crawler",
            "  agentctl kill --signal HUP researcher     # ask it to reload"})
final class KillCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", arity = "1..*", description = "The agent's id, or its name when unique.")
    private List<String> ids;

    @Option(names = {"-s", "--signal"}, paramLabel = "SIG", defaultValue = "KILL",
            converter = Signals.Converter.class,
            description = "Signal to send, by name or number. Default: ${DEFAULT-VALUE}.")
    private int signal;

    @Override
    public Integer call() throws Exception {
        return EachId.run(common, ids, (agentd, id) -> agentd.kill(id, signal),
                (agent, several) -> "sent " + Signals.name(signal) + " to " + agent.id() + "\n");
    }
}
