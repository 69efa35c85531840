package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every command's --help reads like a manual page. */
class HelpTest {

    /** The argument paths of every command, e.g. [], [list], [daemon, status]; picocli's help command excluded. */
    static Stream<List<String>> commands() {
        List<List<String>> out = new ArrayList<>();
        collect(Main.commandLine(Clock.systemUTC(), Map.of()), new ArrayList<>(), out);
        return out.stream();
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(List.copyOf(path));
        cl.getSubcommands().forEach((name, sub) -> {
            // Aliases appear as extra keys; visit each command once, by its name.
            if (!name.equals("help") && name.equals(sub.getCommandName())) {
                List<String> p = new ArrayList<>(path);
                p.add(name);
                collect(sub, p, out);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("commands")
    void help_hasManualSectionsAndEveryOption(List<String> path) {
        List<String> args = new ArrayList<>(path);
        args.add("--help");

        var r = Cli.runWithEnv(Map.of(), args.toArray(String[]::new));

        assertEquals(0, r.exit(), r::toString);
        String help = r.out();
        for (String section : List.of("SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "ENVIRONMENT",
                "EXAMPLES", "AGENTD_SOCKET")) {
            assertTrue(help.contains(section), path + " --help lacks " + section + ":\n" + help);
        }
        CommandLine cmd = Main.commandLine(Clock.systemUTC(), Map.of());
        for (String p : path) {
            cmd = cmd.getSubcommands().get(p);
        }
        assertEquals(help.indexOf("ENVIRONMENT"), help.lastIndexOf("ENVIRONMENT"), "section repeated:\n" + help);
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            assertTrue(help.contains(o.longestName()), path + " --help lacks " + o.longestName());
        }
        for (int code : new int[] {1, 2, 3, 4, 5}) {
            assertTrue(help.matches("(?s).*\\n +" + code + " +\\S.*"), path + " --help lacks exit status " + code);
        }
    }

    @Test
    void help_leafCommandsOfferJsonAndSocket() {
        // Groups (daemon, tool, secret, mcp) only hold subcommands; everything else talks to agentd.
        List<List<String>> groups = List.of(List.of("daemon"), List.of("tool"), List.of("secret"), List.of("mcp"));
        commands().filter(p -> !p.isEmpty() && !groups.contains(p)).forEach(path -> {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            String help = Cli.runWithEnv(Map.of(), args.toArray(String[]::new)).out();
            assertTrue(help.contains("--json") && help.contains("--socket=PATH"), path + ":\n" + help);
        });
    }

    @Test
    void help_runAndWait_documentAgentsExitCode() {
        for (String cmd : List.of("run", "wait")) {
            String help = Cli.runWithEnv(Map.of(), cmd, "--help").out();
            assertTrue(help.contains("128+n") && help.contains("The agent's own exit code"), help);
        }
    }

    @Test
    void help_top_listsEveryCommand() {
        String help = Cli.runWithEnv(Map.of(), "--help").out();

        for (String cmd : List.of("spawn", "run", "list", "status", "logs", "stop", "kill", "wait", "tool", "caps",
                "grant", "revoke", "secret", "approvals", "approve", "deny", "mcp", "audit", "daemon")) {
            assertTrue(help.contains("\n  " + cmd), "missing " + cmd + ":\n" + help);
        }
    }

    @Test
    void help_exit6_documentedAtTopAndOnAuditVerifyOnly() {
        String top = Cli.runWithEnv(Map.of(), "--help").out();
        String verify = Cli.runWithEnv(Map.of(), "audit", "verify", "--help").out();
        String list = Cli.runWithEnv(Map.of(), "list", "--help").out();

        assertTrue(top.matches("(?s).*\\n +6 +Audit log tampered.*"), top);
        assertTrue(verify.matches("(?s).*\\n +6 +Audit log tampered.*"), verify);
        assertTrue(!list.contains("Audit log tampered"), list);
    }

    @Test
    void help_toolCall_documentsIsErrorAsExit1() {
        String help = Cli.runWithEnv(Map.of(), "tool", "call", "--help").out();

        assertTrue(help.matches("(?s).*\\n +1 +agentd returned an error, or the tool reported one.*"), help);
    }

    @Test
    void help_groups_withoutSubcommandAreUsageErrors() {
        for (String group : List.of("tool", "secret", "mcp")) {
            var r = Cli.runWithEnv(Map.of(), group);

            assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
            assertTrue(r.err().contains("Missing required subcommand"), r.err());
        }
    }

    @Test
    void help_command_showsSubcommandHelp() {
        var r = Cli.runWithEnv(Map.of(), "help", "stop");

        assertEquals(0, r.exit());
        assertTrue(r.out().contains("--grace=SECONDS"), r.out());
    }
}
