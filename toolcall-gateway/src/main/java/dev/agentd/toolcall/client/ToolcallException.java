package dev.agentd.toolcall.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;

/**
 * A JSON-RPC error answer: the server understood the connection but refused the
 * request (-32602 unknown tool or invalid arguments, -32601, ...). Tool failures are
 * not this: they come back as results with {@code isError: true}.
 */
public final class ToolcallException extends IOException {
    private final int code;
    private final transient JsonNode data;

    public ToolcallException(int code, String message, JsonNode data) {
        super(message + " (JSON-RPC error " + code + ")");
        this.code = code;
        this.data = data;
    }

    public int code() {
        return code;
    }

    /** The error's {@code data} member (for invalid arguments: {@code {"errors": [...]}}). */
    public Optional<JsonNode> data() {
        return Optional.ofNullable(data);
    }
}
