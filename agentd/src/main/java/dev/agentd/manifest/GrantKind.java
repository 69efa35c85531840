package dev.agentd.manifest;

import java.util.Optional;

/** What a {@link Grant} allows, one per manifest key. */
public enum GrantKind {
    /** Call a named tool ({@code tool: web_search}). */
    TOOL("tool"),
    /** Read a path through the broker ({@code file_read: /data/**}); same syntax as filesystem grants. */
    FILE_READ("file_read"),
    /** Write a path through the broker ({@code file_write: /out/report.md}). */
    FILE_WRITE("file_write"),
    /** Connect to {@code HOST} or {@code HOST:PORT} ({@code net: api.example.com:443}). */
    NET("net"),
    /** Start another agent or program by name ({@code spawn: summarizer}). */
    SPAWN("spawn"),
    /** Use a named secret without seeing it ({@code secret: github_token}). */
    SECRET("secret"),
    /** Call a named language model ({@code llm: claude-sonnet}). */
    LLM("llm");

    private final String yaml;

    GrantKind(String yaml) {
        this.yaml = yaml;
    }

    /** The manifest key. */
    public String yamlKey() {
        return yaml;
    }

    /** The kind whose manifest key is {@code key}. */
    public static Optional<GrantKind> fromYamlKey(String key) {
        for (GrantKind k : values()) {
            if (k.yaml.equals(key)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
