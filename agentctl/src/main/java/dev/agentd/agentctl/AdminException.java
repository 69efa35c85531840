package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * agentd answered a request with a JSON-RPC error object.
 *
 * <p>Keeps the three parts apart, as agentd sends them: {@link #code()} to
 * branch on, {@link #getMessage()} (one sentence a person can act on) to show,
 * and {@link #data()} with the facts (which agent, which manifest line) to
 * format or pass on to machines. Codes are those of {@code docs/admin-api.md}.
 */
public final class AdminException extends Exception {
    /** The line was not JSON. */
    public static final int PARSE_ERROR = -32700;
    /** The object was not a valid request. */
    public static final int INVALID_REQUEST = -32600;
    /** agentd does not know the method (an older daemon). */
    public static final int METHOD_NOT_FOUND = -32601;
    /** A parameter is missing or mistyped. */
    public static final int INVALID_PARAMS = -32602;
    /** The manifest is invalid; data lists where and why. */
    public static final int MANIFEST_INVALID = -32000;
    /** No agent with that id or name; data: id. */
    public static final int NO_SUCH_AGENT = -32001;
    /** A rule could not be applied, so the agent was not started; data: what. */
    public static final int SPAWN_REFUSED = -32002;
    /** The peer may not do this. */
    public static final int PERMISSION_DENIED = -32003;
    /** The agent's state does not allow this (also: wait timed out); data: state. */
    public static final int WRONG_STATE = -32004;
    /** A bug or failure inside agentd. */
    public static final int INTERNAL_ERROR = -32099;

    private final int code;
    private final transient JsonNode data;

    /**
     * @param code    the JSON-RPC error code
     * @param message agentd's message
     * @param data    agentd's {@code data} member, or {@code null} when absent
     */
    public AdminException(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data == null ? NullNode.getInstance() : data;
    }

    /** The JSON-RPC error code. */
    public int code() {
        return code;
    }

    /** The error's {@code data} member; a {@link NullNode} when agentd sent none. */
    public JsonNode data() {
        return data;
    }

    /** The exit status agentctl reports for this error. */
    public int exitCode() {
        return ExitCodes.forErrorCode(code);
    }
}
