package dev.agentd.manifest;

import java.util.List;

/**
 * The {@code filesystem} section: which paths the agent may read, write and execute. Anything
 * not listed is invisible or denied; the default grants nothing.
 *
 * @param read  paths the agent may read
 * @param write paths the agent may write (create, modify, remove)
 * @param exec  paths the agent may execute
 */
public record FilesystemGrants(List<PathGrant> read, List<PathGrant> write, List<PathGrant> exec) {

    /** Nothing granted. */
    public static final FilesystemGrants NONE = new FilesystemGrants(List.of(), List.of(), List.of());

    public FilesystemGrants {
        read = List.copyOf(read);
        write = List.copyOf(write);
        exec = List.copyOf(exec);
    }
}
