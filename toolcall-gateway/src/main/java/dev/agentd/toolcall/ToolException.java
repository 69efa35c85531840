package dev.agentd.toolcall;

/**
 * A tool failure the agent may read: the gateway turns it into a result with
 * {@code isError: true} and the message as text (after scrubbing secrets), never
 * a JSON-RPC error — per MCP, the model should see tool failures to recover.
 */
public class ToolException extends Exception {
    public ToolException(String message) {
        super(message);
    }

    public ToolException(String message, Throwable cause) {
        super(message, cause);
    }
}
