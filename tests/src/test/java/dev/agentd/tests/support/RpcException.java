package dev.agentd.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

/** agentd answered with a JSON-RPC error object. Unchecked, so tests can use it inside lambdas. */
public final class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final transient JsonNode data;

    RpcException(int code, String message, JsonNode data) {
        super(message);
        this.code = code;
        this.data = data == null ? NullNode.getInstance() : data;
    }

    static RpcException of(String method, JsonNode error) {
        return new RpcException(error.path("code").asInt(0), method + ": " + error.path("message").asText(""),
                error.get("data"));
    }

    public int code() {
        return code;
    }

    /** The error's data member, a NullNode when absent. */
    public JsonNode data() {
        return data;
    }

    @Override
    public String toString() {
        return "RpcException[" + code + "] " + getMessage() + " data=" + data;
    }
}
