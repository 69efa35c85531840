package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One invocation handed to a {@link Tool}.
 *
 * @param agentId   the calling agent, established by the socket it connected to (never a request field)
 * @param arguments the {@code arguments} object, already validated against the tool's input schema
 * @param cancel    cancelled when the client sends {@code notifications/cancelled}, the deadline passes,
 *                  or the connection closes
 * @param deadline  when the gateway stops waiting and answers "timed out"
 * @param context   the agent's permissions for sub-resources (paths, hosts, secrets)
 */
public record ToolCall(String agentId, JsonNode arguments, CancellationToken cancel, Instant deadline, ToolContext context) {}
