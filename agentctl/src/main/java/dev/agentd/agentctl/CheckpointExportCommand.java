package dev.agentd.agentctl;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl checkpoint export CHECKPOINT FILE}. */
@Command(name = "export",
        mixinStandardHelpOptions = true,
        header = "Write a checkpoint to one archive file, to move the agent to another machine.",
        description = {
            "agentd writes FILE (which must not exist; agentd, running as root, writes it): a tar "
                    + "holding the checkpoint's catalog entry, CRIU images, workspace and /tmp snapshots "
                    + "and log, and last MANIFEST.json with every member's size and SHA-256. Prints that "
                    + "manifest's SHA-256: compare it out of band with what `checkpoint import` prints on "
                    + "the other side. Import refuses an archive with any changed, missing, extra or "
                    + "truncated member.",
            "",
            "The checkpoint is signed first (HMAC-SHA256 over its catalog entry and every file, keyed by "
                    + "agentd's checkpoint key, /etc/agentd/checkpoint.key, created on first use): an agentd "
                    + "imports only archives signed with its own key, so copy that key (root only) to the "
                    + "machines that should accept this one's checkpoints.",
            "",
            "Owners and modes of the snapshot files are not kept: import gives every file to the "
                    + "agent's uid. Symbolic links in the workspace cannot be exported."},
        footer = {"%nEXAMPLES", "  agentctl checkpoint export 5e1f0c2a /srv/moves/researcher.ckpt"})
final class CheckpointExportCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "The checkpoint's id.")
    private String id;

    @Parameters(index = "1", paramLabel = "FILE", description = "The archive to write (relative to this directory).")
    private Path file;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Checkpoint c = new Checkpoint(agentd.call(new Request.CheckpointExport(id,
                    file.toAbsolutePath().normalize().toString()), CheckpointProgress.to(common)));
            common.print(c, c.json().path("file").asText() + "  sha256 " + c.json().path("manifest_sha256").asText()
                    + "  " + Human.bytes(c.json().path("archive_size_bytes").asLong()) + "\n");
        }
        return ExitCodes.OK;
    }
}
