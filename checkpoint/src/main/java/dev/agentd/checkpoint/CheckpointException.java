package dev.agentd.checkpoint;

import java.io.IOException;

/**
 * A checkpoint operation failed. The two subtypes separate "CRIU is missing,
 * too old or refused" ({@link CriuException}) from "a checkpoint archive is
 * unusable" ({@link CheckpointArchiveException}); callers that only report the
 * failure can catch this type. The message always says what was involved and,
 * where there is one, what to do about it.
 *
 * <p>It is an {@link IOException} because every failure here comes from a
 * process or a file, and callers already handle I/O failures on these paths.
 * Caller mistakes (a negative pid, an unknown cgroup mode) are
 * {@link IllegalArgumentException}s instead, thrown before anything runs.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
