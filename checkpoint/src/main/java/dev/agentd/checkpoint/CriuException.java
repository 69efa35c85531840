package dev.agentd.checkpoint;

/**
 * The {@code criu} binary is missing, too old, could not be run, or refused a
 * check. The message names the binary and says what to install or change, e.g.
 * {@code criu 3.17.1 at /usr/sbin/criu is too old: agentd needs CRIU 4.0 or newer ...}.
 */
public class CriuException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    public CriuException(String message) {
        super(message);
    }

    public CriuException(String message, Throwable cause) {
        super(message, cause);
    }
}
