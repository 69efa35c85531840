package dev.agentd.landlock;

/**
 * An access right a ruleset can handle: {@link AccessFs} for file hierarchies,
 * {@link AccessNet} for TCP ports. Handled rights are denied by default once
 * the ruleset is enforced, except where a rule allows them; rights a ruleset
 * does not handle stay allowed.
 */
public sealed interface Access permits AccessFs, AccessNet {
    /** The right's bit in uapi {@code linux/landlock.h}. */
    long bits();

    /** The ABI that introduced this right; an older kernel cannot enforce it. */
    Abi abi();

    /** The constant's name, e.g. {@code READ_FILE}. */
    String name();
}
