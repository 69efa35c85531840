package dev.agentd.agentctl;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * For the commands built with picocli's programmatic API instead of its
 * annotations ({@link Agentctl}, the top command every run builds, and
 * {@link ListCommand}): reading annotations makes the JVM generate a proxy
 * class per annotation type and picocli reflect over every member, the
 * largest part of a short command's start-up (`agentctl list`: 424 → 297
 * million instructions). Their help is what their annotations gave
 * (HelpTest checks every command's sections; StartUpTest holds the
 * common options of these commands to the annotated ones').
 */
final class Specs {
    private Specs() {}

    /**
     * {@code -h, --help} and {@code -V, --version}, as
     * {@code @Command(mixinStandardHelpOptions = true)} adds them (the same
     * names and picocli's own descriptions), as options of the command
     * itself rather than a mixin: each CommandSpec picocli makes compiles
     * the regular expressions of its negatable-option transformer, about a
     * tenth of what is left of `agentctl list`.
     */
    static CommandSpec withStandardHelp(CommandSpec command) {
        command.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        command.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        return command;
    }
}
