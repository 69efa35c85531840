package dev.agentd.agentctl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code agentctl secret ...}: the secrets agentd keeps for agents' tools. */
@Command(name = "secret",
        mixinStandardHelpOptions = true,
        header = "Store, list and remove secrets.",
        description = {
            "agentd keeps secrets (API tokens, passwords) for the tools agents call: a tool gets a "
                    + "secret's value only for an agent that holds a `secret` grant for it (see "
                    + "`agentctl grant`), and agents themselves never see it. Values go in and never "
                    + "come out: `secret list` shows names only."},
        subcommands = {SecretSetCommand.class, SecretListCommand.class, SecretRmCommand.class},
        footer = {
            "%nEXAMPLES",
            "  gh auth token | agentctl secret set github_token",
            "  agentctl secret list",
            "  agentctl secret rm github_token"})
final class SecretCommand implements Runnable {
    @Spec
    private CommandSpec spec;

    /** {@code agentctl secret} alone is a usage error: it only groups subcommands. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "Missing required subcommand (try: agentctl secret set NAME, agentctl secret list)");
    }
}
