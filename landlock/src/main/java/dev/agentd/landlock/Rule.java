package dev.agentd.landlock;

import java.util.Optional;
import java.util.Set;

/**
 * An exception to a ruleset's default denial: {@link PathBeneath} for a file
 * hierarchy, {@link NetPort} for a TCP port. Rules are immutable values; add
 * them with {@link RulesetCreated#addRule(Rule)}.
 */
public sealed interface Rule permits PathBeneath, NetPort {
    /** The rights this rule allows; never empty. */
    Set<? extends Access> access();

    /** This rule's own compatibility level, if set; otherwise the ruleset's applies. */
    Optional<CompatLevel> compatibility();
}
