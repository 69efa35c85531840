package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * Every message a client can send, as a closed set: the gateway's dispatch is an
 * exhaustive walk over these records, and everything outside the set is classified
 * here, once, into {@link Invalid} with the JSON-RPC error to answer.
 */
sealed interface McpMessage {

    /** {@code initialize}: {@code protocolVersion} is null when absent or not a string. */
    record Initialize(JsonNode id, String protocolVersion) implements McpMessage {}

    record Ping(JsonNode id) implements McpMessage {}

    /** {@code tools/list}; a {@code cursor} is accepted and ignored (the list is never paginated). */
    record ListTools(JsonNode id) implements McpMessage {}

    /** {@code tools/call}; {@code arguments} is an object ({@code {}} when absent). */
    record CallTool(JsonNode id, String name, JsonNode arguments) implements McpMessage {}

    /** A request for a method this server does not implement (-32601). */
    record UnknownRequest(JsonNode id, String method) implements McpMessage {}

    /** {@code notifications/initialized}. */
    record Initialized() implements McpMessage {}

    /** {@code notifications/cancelled}. */
    record Cancelled(JsonNode requestId, String reason) implements McpMessage {}

    /** Any other notification: ignored, as JSON-RPC requires (no answer to a notification). */
    record OtherNotification(String method) implements McpMessage {}

    /** A response to a server request. The gateway sends none, so these are dropped. */
    record ClientResponse(JsonNode id) implements McpMessage {}

    /** Not a valid request: answer {@code code}/{@code message} to {@code id} (JSON null when unknown). */
    record Invalid(JsonNode id, int code, String message) implements McpMessage {}

    // JSON-RPC 2.0 §5.1 error codes.
    int PARSE_ERROR = -32700;
    int INVALID_REQUEST = -32600;
    int METHOD_NOT_FOUND = -32601;
    int INVALID_PARAMS = -32602;
    int INTERNAL_ERROR = -32603;
    /** Implementation-defined server error range (-32000..-32099): refused for a limit. */
    int SERVER_LIMIT = -32000;

    /** Classifies one parsed line. */
    static McpMessage parse(JsonNode msg) {
        if (msg.isArray()) {
            // JSON-RPC batches were removed from MCP in 2025-06-18.
            return new Invalid(NullNode.instance, INVALID_REQUEST, "Invalid Request: batches are not supported");
        }
        if (!msg.isObject()) {
            return new Invalid(NullNode.instance, INVALID_REQUEST, "Invalid Request: not a JSON object");
        }
        JsonNode idNode = msg.get("id");
        boolean hasId = idNode != null;
        // MCP: "the ID MUST be a string or integer" and "MUST NOT be null". Other numbers are
        // accepted: JSON-RPC only says they SHOULD NOT have fractional parts.
        boolean idValid = hasId && (idNode.isTextual() || idNode.isNumber());
        JsonNode replyId = idValid ? idNode : NullNode.instance;
        if (!"2.0".equals(msg.path("jsonrpc").textValue())) {
            return new Invalid(replyId, INVALID_REQUEST, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
        }
        JsonNode methodNode = msg.get("method");
        if (methodNode == null) {
            if (hasId && (msg.has("result") || msg.has("error"))) {
                return new ClientResponse(idNode);
            }
            return new Invalid(replyId, INVALID_REQUEST, "Invalid Request: no \"method\"");
        }
        if (!methodNode.isTextual()) {
            return new Invalid(replyId, INVALID_REQUEST, "Invalid Request: \"method\" must be a string");
        }
        if (hasId && !idValid) {
            return new Invalid(NullNode.instance, INVALID_REQUEST, "Invalid Request: \"id\" must be a string or a number");
        }
        String method = methodNode.textValue();
        JsonNode params = msg.get("params");
        if (params != null && !params.isObject()) {
            // MCP params are always objects; JSON-RPC positional (array) params have no meaning here.
            return hasId ? new Invalid(idNode, INVALID_PARAMS, "Invalid params: \"params\" must be an object")
                    : new OtherNotification(method);
        }
        if (params == null) {
            params = JsonNodeFactory.instance.objectNode();
        }
        return hasId ? request(idNode, method, params) : notification(method, params);
    }

    private static McpMessage request(JsonNode id, String method, JsonNode params) {
        switch (method) {
            case "initialize": {
                JsonNode v = params.get("protocolVersion");
                return new Initialize(id, v != null && v.isTextual() ? v.textValue() : null);
            }
            case "ping":
                return new Ping(id);
            case "tools/list":
                return new ListTools(id);
            case "tools/call": {
                JsonNode name = params.get("name");
                if (name == null || !name.isTextual()) {
                    return new Invalid(id, INVALID_PARAMS, "Invalid params: \"name\" must be a string");
                }
                JsonNode args = params.get("arguments");
                if (args == null || args.isNull()) {
                    args = JsonNodeFactory.instance.objectNode();
                } else if (!args.isObject()) {
                    return new Invalid(id, INVALID_PARAMS, "Invalid params: \"arguments\" must be an object");
                }
                return new CallTool(id, name.textValue(), args);
            }
            default:
                return new UnknownRequest(id, method);
        }
    }

    private static McpMessage notification(String method, JsonNode params) {
        switch (method) {
            case "notifications/initialized":
                return new Initialized();
            case "notifications/cancelled": {
                JsonNode rid = params.get("requestId");
                if (rid == null || !(rid.isTextual() || rid.isNumber())) {
                    return new OtherNotification(method); // nothing to cancel; notifications get no error
                }
                JsonNode reason = params.get("reason");
                return new Cancelled(rid, reason != null && reason.isTextual() ? reason.textValue() : null);
            }
            default:
                return new OtherNotification(method);
        }
    }

    /** The key a request id is tracked under: its JSON text, so "1" and 1 stay distinct. */
    static String idKey(JsonNode id) {
        return id.toString();
    }
}
