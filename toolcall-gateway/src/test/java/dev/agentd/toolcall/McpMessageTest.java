package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class McpMessageTest {
    private static McpMessage parse(String s) {
        return McpMessage.parse(TestTools.json(s));
    }

    @Test
    void parse_classifiesEveryShape() {
        assertEquals("2025-06-18", assertInstanceOf(McpMessage.Initialize.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\"}}"))
                .protocolVersion());
        assertNull(assertInstanceOf(McpMessage.Initialize.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":5}}")).protocolVersion());
        assertInstanceOf(McpMessage.Ping.class, parse("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"ping\"}"));
        assertInstanceOf(McpMessage.ListTools.class, parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
        McpMessage.CallTool c = assertInstanceOf(McpMessage.CallTool.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"t\",\"arguments\":null}}"));
        assertEquals("{}", c.arguments().toString());
        assertInstanceOf(McpMessage.UnknownRequest.class, parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}"));
        assertInstanceOf(McpMessage.Initialized.class, parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
        McpMessage.Cancelled x = assertInstanceOf(McpMessage.Cancelled.class,
                parse("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"a\",\"reason\":\"r\"}}"));
        assertEquals("\"a\"", x.requestId().toString());
        assertInstanceOf(McpMessage.OtherNotification.class, parse("{\"jsonrpc\":\"2.0\",\"method\":\"x\"}"));
        assertInstanceOf(McpMessage.ClientResponse.class, parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}"));
    }

    @Test
    void parse_invalidShapes_carryTheRightCodeAndId() {
        assertEquals(-32600, assertInstanceOf(McpMessage.Invalid.class, parse("[]")).code());
        assertEquals(-32600, assertInstanceOf(McpMessage.Invalid.class, parse("1")).code());
        McpMessage.Invalid v = assertInstanceOf(McpMessage.Invalid.class, parse("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}"));
        assertEquals(3, v.id().asInt());
        assertEquals(-32600, assertInstanceOf(McpMessage.Invalid.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}")).code());
        assertEquals(-32600, assertInstanceOf(McpMessage.Invalid.class, parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}")).code());
        assertEquals(-32602, assertInstanceOf(McpMessage.Invalid.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":1}}")).code());
        assertEquals(-32602, assertInstanceOf(McpMessage.Invalid.class,
                parse("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[]}")).code());
    }
}
