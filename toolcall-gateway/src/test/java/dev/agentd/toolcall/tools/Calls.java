package dev.agentd.toolcall.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.agentd.toolcall.CancellationToken;
import dev.agentd.toolcall.Tool;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/** Runs a tool the way the gateway does: arguments checked against the input schema, results against the output schema. */
final class Calls {
    private Calls() {}

    static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    static JsonNode json(String s) {
        return Json.parse(s);
    }

    static ToolCall call(FakeContext ctx, String args) {
        return call(ctx, args, Duration.ofSeconds(20), new CancellationToken());
    }

    static ToolCall call(FakeContext ctx, String args, Duration timeout, CancellationToken cancel) {
        return new ToolCall("agent-1", json(args), cancel, Instant.now().plus(timeout), ctx);
    }

    static Set<ValidationMessage> inputErrors(Tool tool, String args) {
        JsonSchema s = SCHEMAS.getSchema(tool.inputSchema());
        return s.validate(json(args));
    }

    /** A successful call whose arguments and structured result match the schemas. */
    static ToolResult ok(Tool tool, FakeContext ctx, String args) throws ToolException {
        return ok(tool, call(ctx, args));
    }

    static ToolResult ok(Tool tool, ToolCall call) throws ToolException {
        Set<ValidationMessage> in = SCHEMAS.getSchema(tool.inputSchema()).validate(call.arguments());
        assertTrue(in.isEmpty(), "arguments invalid: " + in);
        ToolResult r = tool.call(call);
        assertFalse(r.isError(), () -> r.content().toString());
        r.structuredContent().ifPresent(sc -> tool.outputSchema().ifPresent(os -> {
            Set<ValidationMessage> out = SCHEMAS.getSchema(os).validate(sc);
            assertTrue(out.isEmpty(), "structured result invalid: " + out + " in " + sc);
        }));
        return r;
    }

    /** A call that fails with a ToolException whose message contains {@code expected}. */
    static ToolException fails(Tool tool, FakeContext ctx, String args, String expected) {
        return fails(tool, call(ctx, args), expected);
    }

    static ToolException fails(Tool tool, ToolCall call, String expected) {
        Set<ValidationMessage> in = SCHEMAS.getSchema(tool.inputSchema()).validate(call.arguments());
        assertTrue(in.isEmpty(), "arguments invalid: " + in);
        ToolException e = assertThrows(ToolException.class, () -> tool.call(call));
        assertTrue(e.getMessage().contains(expected), "expected \"" + expected + "\" in: " + e.getMessage());
        return e;
    }

    static JsonNode structured(ToolResult r) {
        return r.structuredContent().orElseThrow();
    }

    static String text(ToolResult r) {
        assertEquals(1, r.content().size());
        return r.content().get(0).get("text").asText();
    }

    /** JSON string literal of {@code s}, for building arguments. */
    static String q(String s) {
        return Json.MAPPER.getNodeFactory().textNode(s).toString();
    }
}
