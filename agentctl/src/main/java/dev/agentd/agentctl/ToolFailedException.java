package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The tool ran and reported a failure ({@code isError} in its result). Not an
 * agentd error: the call was allowed and made. Reported on stderr with the
 * tool's own text, exit status 1.
 */
public final class ToolFailedException extends Exception {
    private final String tool;
    private final transient JsonNode result;

    /**
     * @param tool    the tool's name
     * @param message the text the tool returned (its content blocks, joined)
     * @param result  the whole {@code tool.call} result
     */
    public ToolFailedException(String tool, String message, JsonNode result) {
        super(message);
        this.tool = tool;
        this.result = result;
    }

    /** The tool's name. */
    public String tool() {
        return tool;
    }

    /** The whole result, for {@code --json}. */
    public JsonNode result() {
        return result;
    }
}
