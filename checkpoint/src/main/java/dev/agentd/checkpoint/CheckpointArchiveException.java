package dev.agentd.checkpoint;

import java.util.Optional;

/**
 * A checkpoint archive could not be written, or was refused on import because
 * it is corrupt, truncated, tampered with or unsafe to extract. The message names
 * the archive member and what was wrong with it, e.g.
 * {@code member 'images/pages-1.img': sha256 mismatch ...}; {@link #member()}
 * carries the member for code.
 */
public class CheckpointArchiveException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final String member;

    public CheckpointArchiveException(String message) {
        this(message, null, null);
    }

    public CheckpointArchiveException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /**
     * @param member the archive member the failure is about, or {@code null}
     */
    public CheckpointArchiveException(String message, String member, Throwable cause) {
        super(message, cause);
        this.member = member;
    }

    /** The archive member (path inside the archive) at fault, when there is one. */
    public Optional<String> member() {
        return Optional.ofNullable(member);
    }
}
