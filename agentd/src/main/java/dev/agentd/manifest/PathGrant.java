package dev.agentd.manifest;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One filesystem grant: an absolute, normalized path, either exactly that file or directory
 * ({@code /etc/resolv.conf}) or the whole subtree beneath it ({@code /data/**}).
 *
 * @param path    absolute and normalized; never contains {@code ..}
 * @param subtree true when written with a trailing {@code /**}
 */
public record PathGrant(Path path, boolean subtree) {

    public PathGrant {
        Objects.requireNonNull(path, "path");
        if (!path.isAbsolute()) {
            throw new IllegalArgumentException("path grant must be absolute: " + path);
        }
        path = path.normalize();
    }

    /** The manifest spelling: {@code /data/**} or {@code /etc/hosts}. */
    @Override
    public String toString() {
        if (!subtree) {
            return path.toString();
        }
        return path.getParent() == null ? "/**" : path + "/**";
    }
}
