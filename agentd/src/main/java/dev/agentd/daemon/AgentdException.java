package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An error the admin API returns as a JSON-RPC error object: a code from
 * {@code docs/admin-api.md}, one sentence a person can act on, and facts.
 */
final class AgentdException extends Exception {
    private static final long serialVersionUID = 1L;

    static final int INVALID_PARAMS = -32602;
    static final int MANIFEST_INVALID = -32000;
    static final int NO_SUCH_AGENT = -32001;
    static final int SPAWN_REFUSED = -32002;
    static final int PERMISSION_DENIED = -32003;
    static final int WRONG_STATE = -32004;
    static final int INTERNAL = -32099;

    private final int code;
    private final transient JsonNode data;

    AgentdException(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data;
    }

    AgentdException(int code, String message) {
        this(code, message, null);
    }

    int code() {
        return code;
    }

    JsonNode data() {
        return data;
    }
}
