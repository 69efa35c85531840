package dev.agentd.spawner;

import java.nio.file.Path;

/**
 * What the sandboxed process may do beneath one path of its view, enforced by
 * Landlock in addition to the mount view.
 *
 * @param path   a path as the sandbox sees it
 * @param kind   the access
 */
public record PathAccess(Path path, Kind kind) {
    /** Access kinds, from least to most. */
    public enum Kind {
        /**
         * List directories, read no file. Landlock cannot grant one directory
         * level alone, so the names of the whole tree below are listable.
         */
        LIST,
        /** List directories and read files. */
        READ,
        /** READ plus execute files. */
        EXECUTE,
        /** READ plus create, write, truncate, rename and remove — no device nodes, no execute. */
        WRITE,
        /** WRITE plus execute. */
        WRITE_EXECUTE,
        /** Read and write existing files (and their ioctls), e.g. /dev/null; no creation. */
        DEVICE,
        /**
         * Write to an existing file, nothing else: no reading, no truncation, no
         * creation (the agent's log, which CRIU reopens at a restore).
         */
        WRITE_EXISTING
    }

    public PathAccess {
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path must be absolute: " + path);
        }
        path = path.normalize();
    }
}
