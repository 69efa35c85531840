package dev.agentd.toolcall;

import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What the kernel says about the process at the other end of a connection
 * ({@code SO_PEERCRED}, captured by the kernel at {@code connect(2)}, so the peer cannot forge it).
 *
 * @param user the peer's effective uid as a principal; principals of the same uid are {@code equals}
 * @param pid  the peer's pid, when the reader can get it (the JDK's {@code SO_PEERCRED} option cannot)
 */
public record PeerCredentials(UserPrincipal user, OptionalInt pid) {
    public PeerCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(pid, "pid");
    }
}
