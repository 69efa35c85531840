package dev.agentd.agentctl;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl spawn FILE}: start an agent in the background and print its id. */
@Command(name = "spawn",
        mixinStandardHelpOptions = true,
        header = "Start an agent from a manifest and print its id.",
        description = {
            "Reads FILE and sends its text and its absolute path to agentd, which validates the manifest, "
                    + "applies the sandbox and starts the agent. Prints the new agent's id on stdout, "
                    + "so scripts can capture it. Rules that best-effort mode could not apply on this kernel "
                    + "are listed on stderr as warnings.",
            "",
            "Manifest errors are printed one per line as FILE:LINE:COLUMN: KEY: MESSAGE."},
        footer = {
            "%nEXAMPLES",
            "  agentctl spawn /etc/agentd/agents/researcher.yaml",
            "  id=$(agentctl spawn researcher.yaml) && agentctl logs -f \"$id\""})
final class SpawnCommand implements Callable<Integer>, ManifestSource {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "FILE", description = "The agent's manifest (YAML).")
    private Path file;

    @Override
    public Integer call() throws Exception {
        String text = Manifests.read(file);
        try (AdminClient agentd = common.connect()) {
            Agent agent = agentd.spawn(text, file);
            common.warnDropped(agent);
            common.print(agent, agent.id() + "\n");
        }
        return ExitCodes.OK;
    }

    @Override
    public Path manifestFile() {
        return file.toAbsolutePath().normalize();
    }
}
