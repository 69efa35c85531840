package dev.agentd.agentctl;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The top command, {@code agentctl}: a list of subcommands, one class each.
 *
 * <p>Holds what the subcommands share but must not read from globals, so that
 * tests can supply it: the clock (uptimes), the environment
 * ({@code AGENTD_SOCKET}) and standard input (secret values).
 *
 * <p>Built with picocli's programmatic API ({@link #spec}) rather than its
 * annotations: every run builds this command, and reading annotations was
 * the largest part of a short command's start-up (see {@link Specs}).
 */
public final class Agentctl implements Callable<Integer> {

    /**
     * The subcommands, in the order help lists them. Not in {@code @Command}
     * so that {@link Main} can build only the one a command line names:
     * picocli reflects over every command it is given, and building all of
     * them took most of agentctl's start-up (0.4 s of 0.6 s).
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            HelpCommand.class,
            SpawnCommand.class,
            RunCommand.class,
            ListCommand.class,
            StatusCommand.class,
            TopCommand.class,
            EventsCommand.class,
            LogsCommand.class,
            StopCommand.class,
            KillCommand.class,
            WaitCommand.class,
            ToolCommand.class,
            CapsCommand.class,
            GrantCommand.class,
            RevokeCommand.class,
            SecretCommand.class,
            ApprovalsCommand.class,
            ApproveCommand.class,
            DenyCommand.class,
            McpCommand.class,
            CheckpointCommand.class,
            CheckpointsCommand.class,
            RestoreCommand.class,
            AuditCommand.class,
            DaemonCommand.class);

    /**
     * The subcommand each name and alias runs (help excepted), as their
     * {@code @Command} annotations say: kept as a table because reading
     * those annotations loads and parses every subcommand class, about a
     * fifth of a short command's start-up. LazySubcommandsTest holds it to
     * the annotations.
     */
    static final Map<String, Class<?>> BY_NAME = Map.ofEntries(
            Map.entry("spawn", SpawnCommand.class),
            Map.entry("run", RunCommand.class),
            Map.entry("list", ListCommand.class),
            Map.entry("ls", ListCommand.class),
            Map.entry("status", StatusCommand.class),
            Map.entry("top", TopCommand.class),
            Map.entry("events", EventsCommand.class),
            Map.entry("logs", LogsCommand.class),
            Map.entry("stop", StopCommand.class),
            Map.entry("kill", KillCommand.class),
            Map.entry("wait", WaitCommand.class),
            Map.entry("tool", ToolCommand.class),
            Map.entry("caps", CapsCommand.class),
            Map.entry("grant", GrantCommand.class),
            Map.entry("revoke", RevokeCommand.class),
            Map.entry("secret", SecretCommand.class),
            Map.entry("approvals", ApprovalsCommand.class),
            Map.entry("approve", ApproveCommand.class),
            Map.entry("deny", DenyCommand.class),
            Map.entry("mcp", McpCommand.class),
            Map.entry("checkpoint", CheckpointCommand.class),
            Map.entry("checkpoints", CheckpointsCommand.class),
            Map.entry("restore", RestoreCommand.class),
            Map.entry("audit", AuditCommand.class),
            Map.entry("daemon", DaemonCommand.class));

    private CommandSpec spec;

    // The global forms of CommonOptions' --socket and --json: read by
    // CommonOptions when the subcommand's own are not given.
    private Path socket;
    private boolean json;

    private final Clock clock;
    private final Map<String, String> env;
    private final Stdin stdin;

    /**
     * @param clock the time uptimes are measured against
     * @param env   the environment variables to honour (AGENTD_SOCKET)
     */
    public Agentctl(Clock clock, Map<String, String> env) {
        this(clock, env, Stdin.system());
    }

    /**
     * @param clock the time uptimes are measured against
     * @param env   the environment variables to honour (AGENTD_SOCKET)
     * @param stdin standard input (secret values)
     */
    public Agentctl(Clock clock, Map<String, String> env, Stdin stdin) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.env = Map.copyOf(env);
        this.stdin = Objects.requireNonNull(stdin, "stdin");
    }

    /** The top command's model, bound to {@code top} (without subcommands: Main adds them). */
    static CommandSpec spec(Agentctl top) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(top);
        top.spec = spec;
        spec.name("agentctl").versionProvider(new VersionProvider());
        spec.usageMessage()
                .header("Control agentd, the supervisor of sandboxed AI agents.")
                .description(
                        "agentctl talks to agentd over its admin socket (JSON-RPC 2.0, one object per line) "
                                + "to start agents from manifests, list and inspect them, follow their logs, "
                                + "stop them, and report what the kernel offers agentd; to grant and revoke the "
                                + "capabilities agents use tools with, call those tools, keep secrets, decide pending "
                                + "approvals, re-approve quarantined MCP servers; and to read and verify the "
                                + "hash-chained audit log.",
                        "",
                        "Only root and members of group agentd may use the socket.",
                        "",
                        "Every command takes --socket PATH and --json, before the command (`agentctl --json list`, "
                                + "as with `docker -H`) or after it (`agentctl list --json`); given in both places, the "
                                + "one after the command wins. Run `agentctl help COMMAND` for a command's details.")
                .footer(
                        "%nEXAMPLES",
                        "  agentctl run researcher.yaml          # start, follow logs, exit with its code",
                        "  id=$(agentctl spawn researcher.yaml)  # start in the background",
                        "  agentctl list --all",
                        "  agentctl status researcher --json | jq .resources",
                        "  agentctl --socket /run/agentd/agentd.sock --json list   # global options first, as docker -H",
                        "  agentctl top; agentctl events -f",
                        "  agentctl stop --grace 30 \"$id\" crawler",
                        "  agentctl grant \"$id\" tool echo --max-invocations 10 --rate 5/m --expires 24h",
                        "  agentctl tool call \"$id\" echo text=hello",
                        "  agentctl caps \"$id\"; agentctl revoke 7",
                        "  gh auth token | agentctl secret set github_token",
                        "  agentctl approvals; agentctl approve 3f2a9c01",
                        "  agentctl mcp list; agentctl mcp approve calc",
                        "  agentctl checkpoint --leave-running \"$id\"; agentctl checkpoints; agentctl restore CHECKPOINT",
                        "  agentctl audit --since 1h --agent \"$id\"",
                        "  agentctl audit verify || echo \"audit log tampered\"",
                        "  agentctl daemon status");
        Binding<Path> socket = Binding.of(() -> top.socket, v -> top.socket = v);
        spec.addOption(OptionSpec.builder("--socket").paramLabel("PATH").type(Path.class)
                .description("agentd's admin socket, for the command that follows. "
                        + "Default: $AGENTD_SOCKET, else /run/agentd/agentd.sock.")
                .setter(socket).getter(socket).build());
        Binding<Boolean> json = Binding.of(() -> top.json, v -> top.json = v);
        spec.addOption(OptionSpec.builder("--json").type(boolean.class).initialValue(false)
                .description("Machine output (JSON on stdout, errors as JSON on stderr) for the command that follows.")
                .setter(json).getter(json).build());
        return Specs.withStandardHelp(spec);
    }

    /** Standard input. */
    public Stdin stdin() {
        return stdin;
    }

    /** The clock uptimes are measured against. */
    public Clock clock() {
        return clock;
    }

    /** The environment. */
    public Map<String, String> env() {
        return env;
    }

    /** {@code --socket} given before the subcommand, or null. */
    Path globalSocket() {
        return socket;
    }

    /** Whether {@code --json} was given before the subcommand. */
    boolean globalJson() {
        return json;
    }

    /** {@code agentctl} alone: show the usage on stderr and fail as a usage error, as git does. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
