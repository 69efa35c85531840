package dev.agentd.checkpoint;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Picks the lines out of a CRIU log that explain a failure, so that an error
 * message can say more than "criu dump exited with status 1".
 *
 * <p>At {@code -v4} a CRIU log is thousands of lines; the cause is almost always
 * among the last errors and warnings, e.g.
 * {@code (00.001) Error (criu/files-reg.c:1991): File tmp/x has bad size 10 (expect 3)}.
 */
public final class CriuLog {

    /** {@code (00.012345) Error ...}: CRIU's timestamp, then the level. */
    private static final Pattern TIMESTAMPED_ERROR = Pattern.compile("^\\(\\s*[0-9.]+\\)\\s+Error\\b.*");

    private CriuLog() {
    }

    /**
     * The last {@code maxLines} error and warning lines of a CRIU log, joined with
     * newlines, oldest first.
     *
     * <p>Never fails: this is called while reporting another failure. A missing log
     * (criu died before opening it) and a log without errors give {@code ""}; a log
     * that cannot be read gives a one-line note saying so.
     *
     * @throws IllegalArgumentException when {@code maxLines} is not positive
     */
    public static String summary(Path log, int maxLines) {
        if (maxLines <= 0) {
            throw new IllegalArgumentException("maxLines must be positive, got " + maxLines);
        }
        // InputStreamReader replaces bytes that are not UTF-8 (file names in the log
        // can be anything) where Files.newBufferedReader would throw.
        try (Reader reader = new InputStreamReader(Files.newInputStream(log), StandardCharsets.UTF_8)) {
            return String.join("\n", failureLines(new BufferedReader(reader), maxLines));
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(could not read CRIU log " + log + ": " + e + ")";
        }
    }

    /** The last {@code maxLines} lines that {@link #explainsFailure explain a failure}. */
    static List<String> failureLines(BufferedReader lines, int maxLines) throws IOException {
        // A ring of the last matches: logs can be tens of MB, so they are streamed.
        Deque<String> last = new ArrayDeque<>(Math.min(maxLines, 64));
        for (String line; (line = lines.readLine()) != null; ) {
            if (explainsFailure(line)) {
                if (last.size() == maxLines) {
                    last.removeFirst();
                }
                last.addLast(line.stripTrailing());
            }
        }
        return List.copyOf(last);
    }

    /** Whether a log line is an error or a warning: {@code Error (}, {@code Warn}, or {@code (ts) Error}. */
    static boolean explainsFailure(String line) {
        // Not the kerndat cache warning: every unprivileged run prints it, and it explains nothing.
        if (line.contains("XDG_RUNTIME_DIR")) {
            return false;
        }
        return line.contains("Error (") || line.contains("Warn") || TIMESTAMPED_ERROR.matcher(line).matches();
    }
}
