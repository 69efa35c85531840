package dev.agentd.agentctl;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl checkpoint import FILE}. */
@Command(name = "import",
        mixinStandardHelpOptions = true,
        header = "Add a checkpoint from an archive made by `checkpoint export`.",
        description = {
            "agentd verifies every member of FILE against the archive's MANIFEST.json (sizes and "
                    + "SHA-256) before anything is kept, and refuses a corrupted, truncated or edited "
                    + "archive whole; nothing is left behind. Then it checks the checkpoint's signature with "
                    + "its own checkpoint key (/etc/agentd/checkpoint.key, which must be the exporting agentd's): "
                    + "an unsigned archive, or one changed consistently after export, is refused. "
                    + "The checkpoint keeps its id; restore it "
                    + "with `agentctl restore ID`. Its uid must be free here when restoring."},
        footer = {"%nEXAMPLES", "  agentctl checkpoint import /srv/moves/researcher.ckpt && agentctl restore 5e1f0c2a"})
final class CheckpointImportCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "FILE", description = "The archive (relative to this directory).")
    private Path file;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Checkpoint c = new Checkpoint(agentd.call(new Request.CheckpointImport(
                    file.toAbsolutePath().normalize().toString()), CheckpointProgress.to(common)));
            common.print(c, c.id() + "\n");
        }
        return ExitCodes.OK;
    }
}
