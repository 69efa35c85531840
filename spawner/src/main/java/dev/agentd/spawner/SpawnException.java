package dev.agentd.spawner;

import java.io.IOException;

/**
 * A spawn failed at a named step ({@code unshare}, {@code landlock}, ...).
 * Nothing of the sandbox is left running: the spawning thread's namespaces
 * end with it and a started init is killed.
 */
public class SpawnException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String step;

    public SpawnException(String step, String message, Throwable cause) {
        super("spawn failed at step " + step + ": " + message, cause);
        this.step = step;
    }

    /** The step of the spawn sequence that failed. */
    public String step() {
        return step;
    }
}
