package dev.agentd.spawner;

import java.nio.file.Path;

/**
 * A host path made visible inside the sandbox at {@code target}.
 *
 * @param source   the host path (file or directory; must exist)
 * @param target   where it appears in the sandbox (absolute)
 * @param writable read-write when true, read-only otherwise
 */
public record BindMount(Path source, Path target, boolean writable) {
    public BindMount {
        if (!source.isAbsolute() || !target.isAbsolute()) {
            throw new IllegalArgumentException("bind mount paths must be absolute: " + source + " -> " + target);
        }
        source = source.normalize();
        target = target.normalize();
    }

    public static BindMount readOnly(Path path) {
        return new BindMount(path, path, false);
    }

    public static BindMount readWrite(Path path) {
        return new BindMount(path, path, true);
    }
}
