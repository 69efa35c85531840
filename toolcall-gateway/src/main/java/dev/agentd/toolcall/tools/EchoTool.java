package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolResult;

/** {@code echo {text}}: returns the text. For checking that the socket, schema and grants work end to end. */
public final class EchoTool extends SchemaTool {
    public static final String NAME = "echo";

    public EchoTool() {
        super(NAME, "Returns the given text unchanged. Useful to check the tool connection.", """
                {
                  "type": "object",
                  "properties": {
                    "text": {"type": "string", "description": "Text to send back."}
                  },
                  "required": ["text"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {"text": {"type": "string"}},
                  "required": ["text"],
                  "additionalProperties": false
                }""");
    }

    @Override
    public boolean nonBlocking() {
        return true; // copies a string
    }

    @Override
    public ToolResult call(ToolCall call) {
        String text = call.arguments().get("text").asText();
        ObjectNode out = Json.object().put("text", text);
        return ToolResult.structured(out, text);
    }
}
