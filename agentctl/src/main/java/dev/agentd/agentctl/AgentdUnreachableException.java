package dev.agentd.agentctl;

import java.io.IOException;
import java.nio.file.Path;

/**
 * agentd could not be reached on its admin socket, or hung up mid-request.
 *
 * <p>The message always names the socket and says what to do next, because
 * the usual causes (daemon not running, wrong path, not in group
 * {@code agentd}) are all fixed by the user, not by retrying. The JDK reports
 * the errno of a failed {@code connect(2)} only as its strerror text, so that
 * text is what the hint is chosen by.
 */
public final class AgentdUnreachableException extends IOException {
    private final transient Path socket;

    private AgentdUnreachableException(Path socket, String message, Throwable cause) {
        super(message, cause);
        this.socket = socket;
    }

    /** The socket path agentctl tried. */
    public Path socket() {
        return socket;
    }

    /** Connecting to {@code socket} failed with {@code cause}. */
    public static AgentdUnreachableException connectFailed(Path socket, IOException cause) {
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new AgentdUnreachableException(socket,
                "cannot connect to agentd at " + socket + ": " + reason + " — " + hint(reason), cause);
    }

    /** agentd closed the connection or the read failed before the response to {@code method} arrived. */
    public static AgentdUnreachableException lost(Path socket, String method, IOException cause) {
        String reason = cause == null ? "connection closed"
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return new AgentdUnreachableException(socket,
                "lost connection to agentd at " + socket + " during " + method + ": " + reason
                        + " — did agentd stop or restart? (check its log)", cause);
    }

    private static String hint(String reason) {
        if (reason.contains("No such file")) {
            return "is agentd running? (set --socket or AGENTD_SOCKET)";
        }
        if (reason.contains("Permission denied")) {
            // The socket is mode 0660 root:agentd.
            return "you need to be root or in group agentd (sudo, or `usermod -aG agentd $USER` and log in again)";
        }
        if (reason.contains("Connection refused")) {
            // The path exists but nobody listens: a stale socket from a daemon
            // that died, or a path that is not agentd's socket at all.
            return "nothing is listening there; is agentd running? (set --socket or AGENTD_SOCKET)";
        }
        return "is agentd running? (set --socket or AGENTD_SOCKET)";
    }
}
