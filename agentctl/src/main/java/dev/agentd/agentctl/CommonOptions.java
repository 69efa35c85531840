package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Options every command takes ({@code --socket}, {@code --json}), mixed into
 * each subcommand, plus the plumbing each command needs: connecting, the
 * output streams, the clock.
 *
 * <p>A mixin rather than options on the top command, so they can follow the
 * subcommand ({@code agentctl list --json}) as users type them. The top
 * command has the same two options for the other order
 * ({@code agentctl --socket PATH --json list}, as {@code docker -H} and
 * {@code kubectl --context} go); the subcommand's own win when both are given.
 */
public final class CommonOptions {

    static final String SOCKET_HELP = "agentd's admin socket. Default: $AGENTD_SOCKET, else /run/agentd/agentd.sock.";
    static final String JSON_HELP = "Print agentd's result as pretty JSON on stdout, for machines; "
            + "errors go to stderr as JSON too.";

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--socket", paramLabel = "PATH", description = SOCKET_HELP)
    private Path socket;

    @Option(names = "--json", description = JSON_HELP)
    private boolean json;

    /**
     * Adds these options to {@code command}, built with picocli's
     * programmatic API ({@link ListCommand}), bound to {@code options}: the
     * same two options the annotations above give every other command.
     * Added to the command itself, not as a mixin (see {@link Specs}).
     */
    static CommandSpec addTo(CommandSpec command, CommonOptions options) {
        options.mixee = command;
        Binding<Path> socket = Binding.of(() -> options.socket, v -> options.socket = v);
        command.addOption(OptionSpec.builder("--socket").paramLabel("PATH").type(Path.class).description(SOCKET_HELP)
                .setter(socket).getter(socket).build());
        Binding<Boolean> json = Binding.of(() -> options.json, v -> options.json = v);
        command.addOption(OptionSpec.builder("--json").type(boolean.class).initialValue(false).description(JSON_HELP)
                .setter(json).getter(json).build());
        return command;
    }

    /** Whether {@code --json} was given. */
    public boolean json() {
        return json || root().globalJson();
    }

    /** The socket this command will use. */
    public Path socket() {
        return AdminClient.resolveSocket(socket != null ? socket : root().globalSocket(), root().env());
    }

    /** Connects to agentd on {@link #socket()}. */
    public AdminClient connect() throws AgentdUnreachableException {
        return AdminClient.connect(socket());
    }

    /** Standard output (picocli's, so tests can capture it). */
    public PrintWriter out() {
        return mixee.commandLine().getOut();
    }

    /** Standard error. */
    public PrintWriter err() {
        return mixee.commandLine().getErr();
    }

    /** Standard input, for commands that read a value from it. */
    public Stdin stdin() {
        return root().stdin();
    }

    /** The current time, for uptimes. */
    public Instant now() {
        return root().clock().instant();
    }

    /** Prints {@code result} as pretty JSON with {@code --json}, else the {@code human} text as is. */
    public void print(JsonResult result, String human) {
        if (json()) {
            printJson(result.json());
        } else {
            out().print(human);
            out().flush();
        }
    }

    /** Prints {@code node} pretty on stdout. */
    public void printJson(JsonNode node) {
        out().println(Json.pretty(node));
        out().flush();
    }

    /**
     * One streamed log line: the text itself, or with {@code --json} one
     * compact {@code {"line": ...}} object per line (JSON Lines) so a consumer
     * can read the stream before the final result arrives. Flushed at once:
     * the point of following is seeing lines as they happen.
     */
    public void printLogLine(String line) {
        printStreamed(line, Json.object().put("line", line));
    }

    /**
     * One streamed item: {@code human} as a line, or with {@code --json}
     * {@code item} as one compact JSON line. Flushed at once; stops the
     * command when stdout's reader has gone.
     */
    public void printStreamed(String human, JsonNode item) {
        if (json()) {
            out().println(Json.compact(item));
        } else {
            out().println(human);
        }
        out().flush();
        // PrintWriter and System.out both swallow EPIPE; ask both.
        if (out().checkError() || System.out.checkError()) {
            throw new OutputClosedException();
        }
    }

    /** Tells the user, on stderr, which rules best effort left out (human mode only: --json has them in the record). */
    public void warnDropped(Agent agent) {
        if (json()) {
            return;
        }
        for (String rule : agent.dropped()) {
            err().println("agentctl: warning: " + agent.id() + ": rule not applied: " + rule);
        }
        err().flush();
    }

    private Agentctl root() {
        return (Agentctl) mixee.root().userObject();
    }
}
