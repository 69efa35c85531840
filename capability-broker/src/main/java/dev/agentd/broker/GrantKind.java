package dev.agentd.broker;

import java.util.Optional;

/** What a grant allows; {@link #key()} is the manifest spelling ({@code tool}, {@code file_read}, ...). */
public enum GrantKind {
    TOOL("tool"),
    FILE_READ("file_read"),
    FILE_WRITE("file_write"),
    NET("net"),
    SPAWN("spawn"),
    SECRET("secret"),
    LLM("llm");

    private final String key;

    GrantKind(String key) {
        this.key = key;
    }

    /** The manifest spelling, also what the broker stores in its tables. */
    public String key() {
        return key;
    }

    /** The kind spelled {@code key} in a manifest, or empty for an unknown spelling. */
    public static Optional<GrantKind> fromKey(String key) {
        for (GrantKind k : values()) {
            if (k.key.equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** True for the kinds whose value is a path ({@code /x} or {@code /x/**}). */
    public boolean isPath() {
        return this == FILE_READ || this == FILE_WRITE;
    }
}
