package dev.agentd.seccomp;

import java.util.List;

/**
 * What the compiler did with a profile for one {@link Target}: which names
 * it skipped because the target architecture lacks them, which rules
 * Docker's conditions left out, and how large the result is.
 *
 * @param target             what was compiled for
 * @param skippedNames       syscall names the target architecture does not have
 * @param leftOutRules       rules whose {@code includes}/{@code excludes} did not hold for the target
 * @param syscallsWithRules  syscall numbers whose answer differs from the default action
 * @param conditionalSyscalls of those, the ones with argument conditions
 * @param dispatchRanges     number ranges the dispatch tree tells apart (consecutive numbers with the same answer share one)
 * @param instructions       length of the program
 * @param notes              what the profile asked for that the compiler does not honour, and assumptions it made
 */
public record CompileReport(Target target, List<SkippedName> skippedNames, List<LeftOutRule> leftOutRules,
        int syscallsWithRules, int conditionalSyscalls, int dispatchRanges, int instructions, List<String> notes) {

    public CompileReport {
        skippedNames = List.copyOf(skippedNames);
        leftOutRules = List.copyOf(leftOutRules);
        notes = List.copyOf(notes);
    }

    /**
     * A syscall name the target architecture does not have.
     *
     * @param name     the name
     * @param location where the profile names it, e.g. {@code syscalls[0].names[13]}
     */
    public record SkippedName(String name, String location) {}

    /**
     * A rule Docker's conditions exclude for the target.
     *
     * @param location the rule, e.g. {@code syscalls[17]}
     * @param names    the syscalls it names
     * @param reason   which condition failed, e.g. {@code includes.caps needs CAP_SYS_ADMIN}
     */
    public record LeftOutRule(String location, List<String> names, String reason) {
        public LeftOutRule {
            names = List.copyOf(names);
        }
    }

    /** A few lines for a log or a CLI. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s: %d instructions, %d syscalls with rules (%d with argument conditions), %d dispatch ranges%n",
                target.arch(), instructions, syscallsWithRules, conditionalSyscalls, dispatchRanges));
        if (!skippedNames.isEmpty()) {
            sb.append(skippedNames.size()).append(" names not on ").append(target.arch()).append(": ");
            sb.append(String.join(", ", skippedNames.stream().map(SkippedName::name).distinct().toList())).append('\n');
        }
        for (LeftOutRule r : leftOutRules) {
            sb.append("left out ").append(r.location()).append(' ').append(r.names()).append(": ").append(r.reason()).append('\n');
        }
        for (String n : notes) {
            sb.append("note: ").append(n).append('\n');
        }
        return sb.toString();
    }
}
