package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code agentctl checkpoint rm CHECKPOINT}. */
@Command(name = "rm",
        mixinStandardHelpOptions = true,
        header = "Delete a checkpoint: its images, snapshots and catalog entry.",
        description = {
            "Deletes the checkpoint's files and its catalog entry. Refused while an incremental "
                    + "checkpoint builds on it (remove that one first). Audited."},
        footer = {"%nEXAMPLES", "  agentctl checkpoint rm 5e1f0c2a"})
final class CheckpointRmCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Parameters(paramLabel = "CHECKPOINT", description = "The checkpoint's id (agentctl checkpoints lists them).")
    private String id;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            Checkpoint c = new Checkpoint(agentd.call(new Request.CheckpointRemove(id)));
            common.print(c, "removed checkpoint " + c.id() + " of " + c.agentName() + " (" + c.agentId() + ")\n");
        }
        return ExitCodes.OK;
    }
}
