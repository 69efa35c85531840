package dev.agentd.agentctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agentctl daemon ...}: commands about agentd itself rather than an agent. */
@Command(name = "daemon",
        mixinStandardHelpOptions = true,
        header = "Commands about agentd itself.",
        description = "Commands that concern agentd rather than one agent.",
        subcommands = DaemonStatusCommand.class,
        footer = {"%nEXAMPLES", "  agentctl daemon status"})
final class DaemonCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    /** {@code agentctl daemon} alone is a usage error: it only groups subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (try: agentctl daemon status)");
    }
}
