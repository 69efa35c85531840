package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl secret rm NAME}: forget a secret. */
@Command(name = "rm",
        aliases = "delete",
        mixinStandardHelpOptions = true,
        header = "Remove a secret.",
        description = {
            "Deletes secret NAME from agentd. Tools that need it fail from then on, even for agents that "
                    + "still hold a grant for it; revoke those grants too (`agentctl caps`, "
                    + "`agentctl revoke`)."},
        footer = {
            "%nEXAMPLES",
            "  agentctl secret rm github_token"})
final class SecretRmCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "NAME", description = "The secret's name.")
    private String name;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Secrets s = agentd.deleteSecret(SecretName.check(name));
            common.print(s, "secret " + (s.name() == null ? name : s.name()) + " removed\n");
        }
        return ExitCodes.OK;
    }
}
