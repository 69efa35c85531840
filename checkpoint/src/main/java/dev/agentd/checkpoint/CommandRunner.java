package dev.agentd.checkpoint;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

/**
 * Runs a command and waits for it. The seam between {@link Criu} and the
 * operating system, so that tests can answer for {@code criu} without one
 * installed.
 */
@FunctionalInterface
interface CommandRunner {

    /**
     * Runs {@code argv} with stdin from {@code /dev/null} and waits at most {@code timeout}.
     *
     * @return the exit code and the combined stdout and stderr (CRIU prints its
     *         check results on stderr)
     * @throws IOException when the command cannot be started or does not finish in
     *         time (it is killed then); the message names the command
     */
    Result run(List<String> argv, Duration timeout) throws IOException;

    /** How a command ended. */
    record Result(int exitCode, String output) {
    }
}
