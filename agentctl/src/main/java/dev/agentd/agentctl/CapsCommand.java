package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl caps ID}: an agent's capability grants. */
@Command(name = "caps",
        mixinStandardHelpOptions = true,
        header = "List an agent's capability grants.",
        description = {
            "Prints a table of the agent's grants:",
            "",
            "  ID KIND VALUE USED/MAX RATE EXPIRES PARENT REVOKED",
            "",
            "ID is what `agentctl revoke` takes. USED/MAX counts invocations against the limit "
                    + "(- for none), RATE is COUNT/UNIT, EXPIRES the time left, PARENT the grant this one "
                    + "was derived from (a grant an agent passed on to one it spawned). Revoked grants are "
                    + "listed, marked yes, until agentd forgets them.",
            "",
            "Then prints on whose behalf the agent acts, itself first: on behalf of: agent:ID \u2190 admin:UID."},
        footer = {
            "%nEXAMPLES",
            "  agentctl caps researcher",
            "  agentctl caps researcher --json | jq '.grants[] | select(.revoked | not) | .id'"})
final class CapsCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "ID", description = "The agent's id, or its name when unique.")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Capabilities caps = agentd.caps(id);
            common.print(caps, Human.caps(caps, common.now()));
        }
        return ExitCodes.OK;
    }
}
