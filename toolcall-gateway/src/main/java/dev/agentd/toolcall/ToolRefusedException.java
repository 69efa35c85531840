package dev.agentd.toolcall;

/**
 * A tool call refused by one of agentd's checks before it touched anything:
 * the path is outside every grant, or malformed, or the broker denied it, or
 * the kernel refused a lookup that would have left the granted tree. The agent
 * reads the message like any tool failure; the audit record says
 * {@code decision: refused} with the message as its reason, not
 * {@code allowed} with an error: the call was not allowed to do anything.
 */
public class ToolRefusedException extends ToolException {
    public ToolRefusedException(String message) {
        super(message);
    }

    public ToolRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
