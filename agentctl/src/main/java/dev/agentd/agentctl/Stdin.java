package dev.agentd.agentctl;

import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Standard input, for the commands that read a value from it
 * ({@code secret set}). An interface so tests can supply the bytes and say
 * whether "the user" is at a terminal.
 */
public interface Stdin {

    /** The bytes. */
    InputStream stream();

    /** True when stdin is a terminal, where a secret would be typed visibly. */
    boolean isTerminal();

    /**
     * Prompts on the terminal and reads a line without echo.
     *
     * @return the characters typed, or {@code null} when there is no terminal
     *         to prompt on or input ended
     */
    char[] readPassword(String prompt);

    /** The process's own stdin and terminal. */
    static Stdin system() {
        return new Stdin() {
            @Override
            public InputStream stream() {
                return System.in;
            }

            @Override
            public boolean isTerminal() {
                // Without native code, /proc says what fd 0 is. System.console()
                // alone is not enough: it also wants stdout to be a terminal.
                try {
                    String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
                    return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
                            || target.equals("/dev/console");
                } catch (IOException | UnsupportedOperationException | SecurityException e) {
                    return System.console() != null;
                }
            }

            @Override
            public char[] readPassword(String prompt) {
                Console console = System.console();
                return console == null ? null : console.readPassword("%s", prompt);
            }
        };
    }
}
