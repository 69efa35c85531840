package dev.agentd.landlock;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The caller asked for something that makes no sense on any kernel: a ruleset
 * that handles nothing, a rule with no rights or with rights its ruleset does
 * not handle, a rule for a path that does not exist, a port outside 0..65535.
 * Unchecked, like the {@link IllegalArgumentException} it is: fix the request
 * (or the configuration it came from). It is thrown before anything reaches
 * the kernel and does not depend on the kernel's ABI. Compare
 * {@link LandlockUnsupportedException}.
 *
 * <p>Message shape: {@code invalid Landlock ruleset: <what>} or
 * {@code invalid Landlock rule <rule>: <what>}.
 */
public final class LandlockRulesetException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Problem {
        /** The ruleset handles no access right and no scope (the kernel would refuse it with ENOMSG). */
        NOTHING_HANDLED,
        /** A rule allows no access right. */
        EMPTY_ACCESS,
        /** A rule allows a right its ruleset does not handle (the kernel would refuse it with EINVAL). */
        ACCESS_NOT_HANDLED,
        /** A rule's path does not exist and the rule is not {@link PathBeneath#optional() optional}. */
        MISSING_PATH,
        /** A port outside 0..65535. */
        PORT_OUT_OF_RANGE
    }

    private final Problem problem;
    private final transient Path path;

    LandlockRulesetException(Problem problem, String subject, String what, Path path, Throwable cause) {
        super("invalid Landlock " + subject + ": " + what, cause);
        this.problem = problem;
        this.path = path;
    }

    static LandlockRulesetException ofRuleset(Problem problem, String what) {
        return new LandlockRulesetException(problem, "ruleset", what, null, null);
    }

    static LandlockRulesetException ofRule(Problem problem, Rule rule, String what) {
        return new LandlockRulesetException(problem, "rule " + rule, what, null, null);
    }

    /** What is wrong. */
    public Problem problem() {
        return problem;
    }

    /** The path concerned, for {@link Problem#MISSING_PATH}. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }
}
