package dev.agentd.daemon;

import java.nio.file.Path;
import java.util.List;

/**
 * What a restore starts from: one checkpoint's files and the agent it was.
 *
 * @param checkpointId the catalog entry
 * @param manifest     the agent's manifest text at the checkpoint
 * @param grants       the agent's grants at the checkpoint ({@code caps.list}'s answer), or null
 * @param uid          the agent's uid (CRIU restores credentials from the images: it cannot change)
 * @param imagesDir    CRIU's images
 * @param parentImages the images directories an incremental checkpoint's memory builds on, nearest first
 * @param workspace    the snapshot of the agent's workspace
 * @param tmp          the snapshot of the sandbox's /tmp
 * @param log          the agent's log at the dump (CRIU checks the size of every file it reopens)
 * @param restorer     argv of {@code criu restore}, images at {@code /proc/self/fd/5}
 * @param probe        argv of the confinement probe run in the restored agent's domain
 */
record RestoreSource(String checkpointId, String manifest, String grants, int uid, Path imagesDir, List<Path> parentImages, Path workspace, Path tmp, Path log,
        List<String> restorer, List<String> probe) {
}
