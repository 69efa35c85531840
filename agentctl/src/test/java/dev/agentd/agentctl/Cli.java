package dev.agentd.agentctl;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** Runs agentctl in-process, as {@code Main} would, with captured output. */
final class Cli {
    /** "Now" in every test: 3m12s after {@link Fixtures#RUNNING}'s start. */
    static final Instant NOW = Instant.parse("2026-11-22T00:03:12.120Z");

    /** What one invocation did. */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {}

    /** Runs {@code agentctl --socket SOCKET args...} (the option placed after the subcommand path). */
    static Result run(Path socket, String... args) {
        return runWithEnv(Map.of(), withSocket(socket, args));
    }

    /** Runs {@code agentctl --socket SOCKET args...} with {@code stdin} as standard input. */
    static Result runWithStdin(Path socket, Stdin stdin, String... args) {
        String[] all = withSocket(socket, args);
        return execute(Main.commandLine(Clock.fixed(NOW, ZoneOffset.UTC), Map.of(), stdin, all), all);
    }

    /** Standard input holding {@code bytes}; {@code terminal} says whether it is a terminal. */
    static Stdin stdin(byte[] bytes, boolean terminal) {
        return stdin(bytes, terminal, null);
    }

    /**
     * Standard input holding {@code bytes}, whose terminal (when
     * {@code typed} is not null) answers a password prompt with {@code typed}.
     */
    static Stdin stdin(byte[] bytes, boolean terminal, String typed) {
        return new Stdin() {
            @Override
            public InputStream stream() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public boolean isTerminal() {
                return terminal;
            }

            @Override
            public char[] readPassword(String prompt) {
                return typed == null ? null : typed.toCharArray();
            }
        };
    }

    /** Runs {@code agentctl args...} with the given environment. */
    static Result runWithEnv(Map<String, String> env, String... args) {
        // As Main.main builds it: only the subcommand args name, when clear.
        return execute(Main.commandLine(Clock.fixed(NOW, ZoneOffset.UTC), env, Stdin.system(), args), args);
    }

    private static Result execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    private static String[] withSocket(Path socket, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--socket");
        all.add(socket.toString());
        return all.toArray(String[]::new);
    }
}
