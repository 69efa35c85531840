package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A tool an agent may call through its gateway. Implementations are shared by
 * every agent's gateway, so they must be thread-safe and keep no per-agent
 * state outside what {@link ToolCall} hands them.
 *
 * <p>The gateway has already checked, before {@link #call}: the agent holds a
 * {@code tool:} grant for {@link #name()} (and one invocation was consumed),
 * the arguments validate against {@link #inputSchema()}, any approval was
 * given. Sub-permissions (paths, hosts, secrets) are the tool's job, through
 * {@link ToolCall#context()}.
 */
public interface Tool {
    /** The MCP tool name: unique in a registry, {@code [A-Za-z0-9_.-]{1,128}}. */
    String name();

    /** One or two sentences for the model choosing a tool. */
    String description();

    /** JSON Schema (2020-12) of the {@code arguments} object; {@code {"type":"object"}} at least. */
    JsonNode inputSchema();

    /**
     * JSON Schema of {@link ToolResult#structuredContent()}. When present the gateway
     * validates every structured result against it and turns a mismatch into an
     * error result, so a client may trust the shape it was told.
     */
    default Optional<JsonNode> outputSchema() {
        return Optional.empty();
    }

    /**
     * Whether the tool only computes, for microseconds: no I/O, no waiting, no
     * lock held for long. The gateway then runs it on the connection's reader
     * thread, without a call thread or a timeout timer (a hand-off to a call
     * thread costs more than such a tool); the connection reads nothing else
     * meanwhile. Every check, the concurrency cap and the audit record stay
     * the same. A tool that can block must leave this false (the default).
     */
    default boolean nonBlocking() {
        return false;
    }

    /**
     * Runs the call. Long-running tools poll {@link ToolCall#cancel()} (or register
     * {@link CancellationToken#onCancel}) and respect {@link ToolCall#deadline()}: the
     * gateway answers "timed out" at the deadline whether or not the tool returns.
     *
     * @throws ToolException a failure the agent should read; becomes an {@code isError} result
     */
    ToolResult call(ToolCall call) throws ToolException;
}
