package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentctl secret list}: the names of the stored secrets. */
@Command(name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        header = "List the names of stored secrets.",
        description = {
            "Prints the name of each secret agentd keeps, one per line. Values are never shown: agentd "
                    + "does not give them out."},
        footer = {
            "%nEXAMPLES",
            "  agentctl secret list",
            "  agentctl secret list --json | jq -r '.names[]'"})
final class SecretListCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Secrets s = agentd.secrets();
            StringBuilder human = new StringBuilder();
            s.names().forEach(n -> human.append(Human.printable(n)).append('\n'));
            common.print(s, human.toString());
        }
        return ExitCodes.OK;
    }
}
