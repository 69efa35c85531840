package dev.agentd.agentctl;

/**
 * Standard output was closed by its reader, as in {@code agentctl logs -f ID |
 * grep -m1 ready}. Following further would only block until the agent exits,
 * so agentctl stops and exits quietly with 141 (128+SIGPIPE), which is what a
 * shell reports for a C program that died writing to a closed pipe. The JVM
 * ignores SIGPIPE and the print streams swallow the EPIPE, hence the explicit
 * check.
 */
public final class OutputClosedException extends RuntimeException {
    /** 128 + SIGPIPE (13). */
    public static final int EXIT_CODE = ExitCodes.SIGNAL_BASE + 13;

    /** Standard output is gone. */
    public OutputClosedException() {
        super("standard output closed", null, false, false);
    }
}
