package dev.agentd.broker;

/**
 * Replaces secret values in text with {@code [secret:NAME]}, e.g. before a tool result or an error
 * message reaches an agent or the audit log.
 */
@FunctionalInterface
public interface Scrubber {
    String scrub(String text);
}
