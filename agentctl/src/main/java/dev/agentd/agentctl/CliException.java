package dev.agentd.agentctl;

/**
 * A failure on agentctl's side of the socket (a manifest file that cannot be
 * read, an argument picocli could not check), carrying the exit status to
 * report. Its message is printed as is, after {@code agentctl: }.
 */
public final class CliException extends RuntimeException {
    private final int exitCode;

    /**
     * @param exitCode one of {@link ExitCodes}
     * @param message  one sentence saying what is wrong and with what
     */
    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The exit status to report. */
    public int exitCode() {
        return exitCode;
    }
}
