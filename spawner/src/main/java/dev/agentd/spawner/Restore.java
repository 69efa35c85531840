package dev.agentd.spawner;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How {@link Spawner#restore} brings a checkpointed agent back into a fresh
 * sandbox instead of starting its command.
 *
 * <p>The sandbox is built exactly as for a spawn of the same spec, up to and
 * including the Landlock domain. Then, instead of dropping to the agent's
 * credentials and seccomp filter, the spawning thread starts the
 * {@code restorer} (CRIU) as the agent's uid with {@link #CAPABILITIES} only.
 * The restorer puts the agent's credentials, no_new_privs and seccomp filter
 * back from the images; the Landlock domain it cannot save or restore is the
 * one it runs in, and the restored processes, forked by it, are born in it.
 *
 * @param restorer    argv of the restorer as seen in the sandbox; it finds the
 *                    images at {@code /proc/self/fd/}{@link #IMAGES_FD} and
 *                    must restore the agent (PID 2) as a sibling of itself,
 *                    so the agent is this JVM's child as after a spawn
 * @param imagesDir   host directory with the images; Landlock lets the
 *                    restorer (and so the restored agent, which cannot reach
 *                    it: it is outside the view) read and write beneath it
 * @param parentImages host directories of earlier images an incremental
 *                    checkpoint builds on (CRIU follows its {@code parent} links);
 *                    read-only for the restorer
 * @param tmpContents host directory whose tree is copied into the sandbox's
 *                    {@code /tmp} before the restorer starts (CRIU does not save
 *                    a tmpfs's files), if any
 * @param probe       argv run after the restore in the restored agent's Landlock
 *                    domain and namespaces, as its uid with no capabilities and
 *                    no_new_privs; it must exit 0, and its output is returned
 */
public record Restore(List<String> restorer, Path imagesDir, List<Path> parentImages, Optional<Path> tmpContents,
        List<String> probe) {
    /** The descriptor on which the restorer finds the images directory. */
    public static final int IMAGES_FD = 5;

    /**
     * What the restorer holds, and nothing else: CRIU's unprivileged mode needs
     * CHECKPOINT_RESTORE (pids), SYS_PTRACE and SYS_ADMIN; DAC_OVERRIDE reopens
     * the agent's files whatever their modes; SETPCAP empties the agent's
     * bounding set again. Names as {@code setpriv} spells them.
     */
    public static final List<String> CAPABILITIES = List.of("checkpoint_restore", "sys_ptrace", "sys_admin",
            "dac_override", "setpcap");

    public Restore {
        restorer = List.copyOf(restorer);
        probe = List.copyOf(probe);
        parentImages = List.copyOf(parentImages);
        if (restorer.isEmpty() || !restorer.get(0).startsWith("/")) {
            throw new IllegalArgumentException("restorer: expected an absolute program path, got " + restorer);
        }
        if (probe.isEmpty() || !probe.get(0).startsWith("/")) {
            throw new IllegalArgumentException("probe: expected an absolute program path, got " + probe);
        }
        if (!imagesDir.isAbsolute()) {
            throw new IllegalArgumentException("imagesDir: expected an absolute path, got " + imagesDir);
        }
    }
}
