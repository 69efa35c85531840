package dev.agentd.agentctl;

import java.util.regex.Pattern;

/**
 * What a secret may be called: the NAME of {@code ${secret:NAME}}, the only
 * way tools refer to a secret. agentd refuses other names too; checking here
 * first says so before agentctl reads a value from stdin.
 */
final class SecretName {
    /** agentd's grammar (the http_fetch tool's {@code ${secret:NAME}} reference). */
    static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9_.-]{1,256}");

    private SecretName() {}

    /** {@code name}, or a usage error saying what a name may be. */
    static String check(String name) {
        if (!SYNTAX.matcher(name).matches()) {
            throw new CliException(ExitCodes.USAGE, "invalid secret name \"" + Human.printable(name)
                    + "\": expected 1 to 256 of A-Z a-z 0-9 _ . - (the NAME in ${secret:NAME})");
        }
        return name;
    }
}
