package dev.agentd.agentctl;

import java.time.Clock;
import java.util.Map;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Prints agentctl's bash completion script, generated from the picocli model
 * of every command (picocli's {@link AutoComplete}); zsh uses the same script
 * through its bashcompinit. packaging/build runs this at package build time:
 * {@code java -cp agentctl.jar dev.agentd.agentctl.Completion > agentctl}.
 *
 * <p>Not {@code picocli.AutoComplete}'s own main: it instantiates the top
 * command by class, and agentctl adds its subcommands in {@link Main}.
 */
final class Completion {
    private Completion() {}

    public static void main(String[] args) {
        CommandLine all = Main.commandLine(Clock.systemUTC(), Map.of(), Stdin.system(), null);
        String script = AutoComplete.bash("agentctl", all);
        // A completion file is sourced, never run: no "#!" line (Debian's policy
        // for bash-completion files; lintian: bash-completion-with-hashbang).
        if (script.startsWith("#!")) {
            script = script.substring(script.indexOf('\n') + 1);
        }
        System.out.print(script);
        System.out.flush();
    }
}
