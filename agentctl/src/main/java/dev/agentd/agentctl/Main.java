package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of {@code agentctl}: builds the command line, turns failures
 * into messages and exit statuses ({@link ExitCodes}), exits.
 *
 * <p>All error reporting lives here so commands can just throw: an
 * {@link AdminException} from agentd, an {@link AgentdUnreachableException},
 * a {@link CliException} for local problems.
 */
public final class Main {

    /**
     * picocli's system property naming built-in type converters it should not
     * register, as regular expressions over the types' names.
     */
    static final String CONVERTERS_EXCLUDED = "picocli.converters.excludes";

    /**
     * The converters for java.time and java.sql types, which no option of
     * agentctl has (MainTest holds every option to that): picocli registers
     * each by a Class.forName and a reflective method lookup on every
     * CommandLine it makes, a short command's top command and subcommand
     * alike, about 6% of the instructions `agentctl list` runs.
     */
    static final String UNUSED_CONVERTERS = "java\\.(sql|time)\\..*";

    private Main() {}

    /** Runs agentctl and exits with its status. */
    public static void main(String[] args) {
        System.exit(commandLine(Clock.systemUTC(), System.getenv(), Stdin.system(), args).execute(args));
    }

    /**
     * The configured command line. Tests call this with a fixed clock and
     * environment, then {@code setOut}/{@code setErr} and {@code execute}.
     */
    public static CommandLine commandLine(Clock clock, Map<String, String> env) {
        return commandLine(clock, env, Stdin.system());
    }

    /** As {@link #commandLine(Clock, Map)}, reading standard input from {@code stdin}. */
    public static CommandLine commandLine(Clock clock, Map<String, String> env, Stdin stdin) {
        return commandLine(clock, env, stdin, null);
    }

    /**
     * The command line for running {@code args}: with only the subcommand
     * they name when that is clear from them, else with all (help, the top
     * command alone, an unknown name, an unknown option first). Start-up is
     * mostly picocli building its model of each command it is given.
     *
     * @param args the arguments about to be executed, or null for all subcommands
     */
    public static CommandLine commandLine(Clock clock, Map<String, String> env, Stdin stdin, String[] args) {
        System.getProperties().putIfAbsent(CONVERTERS_EXCLUDED, UNUSED_CONVERTERS);
        CommandLine cl = new CommandLine(Agentctl.spec(new Agentctl(clock, env, stdin)));
        Class<?> only = args == null ? null : named(args);
        for (Class<?> sub : Agentctl.SUBCOMMANDS) {
            if (only == null || sub == only) {
                // ListCommand is built with the programmatic API (Specs), the rest from their annotations.
                cl.addSubcommand(sub == ListCommand.class ? new CommandLine(ListCommand.spec()) : sub);
            }
        }
        cl.setExecutionExceptionHandler(Main::handle);
        cl.setParameterExceptionHandler(Main::usageError);
        // Manual-page section names and order, on every command.
        decorate(cl);
        return cl;
    }

    /**
     * The subcommand {@code args} run, when it is sure: the first argument
     * after the top command's own options, matching a subcommand's name or
     * alias. {@code Void.class} for {@code --version} (no subcommand at
     * all), null for help (it must see every command) and anything unclear.
     */
    static Class<?> named(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--socket")) {
                i++; // its value
            } else if (a.startsWith("--socket=") || a.equals("--json")) {
                continue;
            } else if (a.equals("-V") || a.equals("--version")) {
                return Void.class; // the top command's own answer: no subcommand needed
            } else if (a.startsWith("-")) {
                return null; // --help, a typo: picocli answers with all commands in view
            } else {
                Class<?> sub = Agentctl.BY_NAME.get(a);
                if (sub != null) {
                    return sub;
                }
                return null;
            }
        }
        return null;
    }

    private static void decorate(CommandLine cl) {
        UsageMessageSpec u = cl.getCommandSpec().usageMessage();
        u.synopsisHeading("%nSYNOPSIS%n  ");
        u.descriptionHeading("%nDESCRIPTION%n");
        u.parameterListHeading("%nARGUMENTS%n");
        u.optionListHeading("%nOPTIONS%n");
        u.commandListHeading("%nCOMMANDS%n");
        u.exitCodeListHeading("%nEXIT STATUS%n");
        Object command = cl.getCommand();
        // run and wait end with the agent's status, so their list differs.
        boolean agentStatus = command instanceof RunCommand || command instanceof WaitCommand;
        Map<String, String> exitCodes = agentStatus ? ExitCodes.agentHelp() : ExitCodes.standardHelp();
        if (command instanceof ToolCallCommand) {
            exitCodes.put(" " + ExitCodes.AGENTD_ERROR, "agentd returned an error, or the tool reported one "
                    + "(isError; its text is on stderr).");
        }
        if (command instanceof Agentctl || command instanceof AuditVerifyCommand) {
            exitCodes.put(" " + ExitCodes.AUDIT_TAMPERED, "Audit log tampered: audit verify found records edited, "
                    + "inserted or deleted.");
        }
        if (command instanceof Agentctl) {
            exitCodes.put("", "run and wait exit with the agent's own status instead of 0; see their --help.");
        }
        u.exitCodeList(exitCodes);
        // ENVIRONMENT goes before the command's own EXAMPLES, in man-page order.
        List<String> footer = new ArrayList<>(List.of(
                "%nENVIRONMENT",
                "  AGENTD_SOCKET  Path of agentd's admin socket when --socket is not given",
                "                 (default /run/agentd/agentd.sock)."));
        footer.addAll(Arrays.asList(u.footer()));
        u.footer(footer.toArray(String[]::new));
        // An alias maps to the same CommandLine again; decorate each once.
        cl.getSubcommands().values().stream().distinct().forEach(Main::decorate);
    }

    /**
     * A usage error: the message and a pointer to --help, as git and coreutils
     * do, rather than picocli's default of repeating the whole help (which
     * pushes the one line that matters off the screen).
     */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        int exit = cmd.getCommandSpec().exitCodeOnInvalidInput();
        if (Arrays.asList(args).contains("--json")) {
            ObjectNode error = Json.object().put("kind", "usage").put("message", ex.getMessage())
                    .put("exit_code", exit);
            err.println(Json.pretty(Json.object().set("error", error)));
        } else {
            err.println("agentctl: " + ex.getMessage());
            UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return exit;
    }

    /** Reports a failure of a command on stderr (as JSON with --json) and returns the exit status. */
    private static int handle(Exception ex, CommandLine cmd, ParseResult parsed) {
        boolean json = leaf(parsed).hasMatchedOption("--json") || parsed.hasMatchedOption("--json");
        PrintWriter err = cmd.getErr();
        int exit;
        ObjectNode error = Json.object();
        List<String> human = new ArrayList<>();
        if (ex instanceof OutputClosedException) {
            // The reader has what it wanted (`| head`); nothing to report.
            return OutputClosedException.EXIT_CODE;
        }
        if (ex instanceof AdminException a) {
            exit = a.exitCode();
            error.put("kind", "agentd").put("code", a.code()).put("message", a.getMessage()).set("data", a.data());
            if (a.code() == AdminException.MANIFEST_INVALID) {
                Path file = cmd.getCommand() instanceof ManifestSource m ? m.manifestFile() : null;
                human.addAll(ManifestErrors.format(a.data(), file));
            }
            if (human.isEmpty()) {
                human.add("agentctl: " + a.getMessage() + hint(a));
            }
        } else if (ex instanceof ToolFailedException t) {
            exit = ExitCodes.AGENTD_ERROR;
            error.put("kind", "tool").put("tool", t.tool()).put("message", t.getMessage()).set("result", t.result());
            human.add("agentctl: tool " + t.tool() + " failed"
                    + (t.getMessage().isEmpty() ? " (it gave no reason)" : ": " + t.getMessage()));
        } else if (ex instanceof AgentdUnreachableException u) {
            exit = ExitCodes.UNREACHABLE;
            error.put("kind", "unreachable").put("message", u.getMessage()).put("socket", u.socket().toString());
            human.add("agentctl: " + u.getMessage());
        } else if (ex instanceof CliException c) {
            exit = c.exitCode();
            error.put("kind", "usage").put("message", c.getMessage());
            human.add("agentctl: " + c.getMessage());
        } else if (ex instanceof IOException io) {
            // agentd answered with something that is not the protocol.
            exit = ExitCodes.AGENTD_ERROR;
            error.put("kind", "protocol").put("message", io.getMessage());
            human.add("agentctl: " + io.getMessage());
        } else {
            // A bug in agentctl: keep the stack trace, it is what a report needs.
            exit = ExitCodes.AGENTD_ERROR;
            error.put("kind", "internal").put("message", ex.toString());
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            human.add("agentctl: internal error: " + ex + " (please report this)");
            human.add(trace.toString().stripTrailing());
        }
        error.put("exit_code", exit);
        if (json) {
            err.println(Json.pretty(Json.object().set("error", error)));
        } else {
            human.forEach(err::println);
        }
        err.flush();
        return exit;
    }

    private static String hint(AdminException a) {
        return switch (a.code()) {
            case AdminException.METHOD_NOT_FOUND -> " (is agentd older than this agentctl?)";
            case AdminException.PERMISSION_DENIED -> " (you need to be root or in group agentd)";
            default -> "";
        };
    }

    private static ParseResult leaf(ParseResult parsed) {
        ParseResult p = parsed;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }
}
