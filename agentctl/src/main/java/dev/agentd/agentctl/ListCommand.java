package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code agentctl list}: one line per agent.
 *
 * <p>Built with picocli's programmatic API ({@link #spec}), not annotations:
 * it is the command people run most, and reading annotations was most of
 * its start-up (see {@link Specs}).
 */
final class ListCommand implements Callable<Integer> {
    private final CommonOptions common = new CommonOptions();
    private boolean all;

    /** The command's model, bound to a new ListCommand. */
    static CommandSpec spec() {
        ListCommand list = new ListCommand();
        CommandSpec spec = CommandSpec.wrapWithoutInspection(list);
        spec.name("list").aliases("ls");
        spec.usageMessage()
                .header("List agents.")
                .description("Prints a table of agents: ID NAME STATE PID UPTIME/EXIT RESTARTS. UPTIME/EXIT is the time "
                        + "since the agent started while it runs, and how it ended (exit N, or the signal) once "
                        + "it exited. Exited agents are left out unless --all is given.")
                .footer("%nEXAMPLES",
                        "  agentctl list",
                        "  agentctl list --all --json | jq -r '.agents[].id'");
        CommonOptions.addTo(spec, list.common);
        Binding<Boolean> all = Binding.of(() -> list.all, v -> list.all = v);
        spec.addOption(OptionSpec.builder("-a", "--all").type(boolean.class).initialValue(false)
                .description("Include agents that exited.").setter(all).getter(all).build());
        return Specs.withStandardHelp(spec);
    }

    private ListCommand() {}

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            AgentList list = agentd.list(all);
            common.print(list, Human.table(list.agents(), common.now()));
        }
        return ExitCodes.OK;
    }
}
