package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MCP/JSON-RPC conformance of one gateway, over a real socket. */
class GatewayProtocolTest {
    @TempDir
    Path dir;
    Harness h;
    RawClient c;

    @BeforeEach
    void open() throws Exception {
        h = new Harness(dir, ToolRegistry.of(TestTools.echo(), TestTools.add(), TestTools.liar(), TestTools.failing(),
                TestTools.crashing(), TestTools.text("secret_tool", a -> "hidden")),
                b -> b.limits(GatewayLimits.builder().maxMessageBytes(64 * 1024).build()),
                "echo", "add", "liar", "fail", "crash");
        c = h.client();
    }

    @AfterEach
    void close() throws Exception {
        c.close();
        h.close();
    }

    private JsonNode initialize(String version) throws Exception {
        return c.request(1, "initialize", "{\"protocolVersion\":" + (version == null ? "null" : "\"" + version + "\"")
                + ",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}").get("result");
    }

    @Test
    void initialize_supportedVersion_isEchoed() throws Exception {
        JsonNode r = initialize("2025-06-18");
        assertEquals("2025-06-18", r.get("protocolVersion").asText());
        assertTrue(r.at("/capabilities/tools/listChanged").asBoolean());
        assertEquals("agentd", r.at("/serverInfo/name").asText());
        assertEquals(Gateway.SERVER_VERSION, r.at("/serverInfo/version").asText());
        assertEquals("2025-11-25", initialize("2025-11-25").get("protocolVersion").asText());
    }

    @Test
    void initialize_unsupportedOrMissingVersion_answersLatest() throws Exception {
        assertEquals("2025-11-25", initialize("2024-11-05").get("protocolVersion").asText());
        assertEquals("2025-11-25", initialize(null).get("protocolVersion").asText());
        c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        assertEquals("{}", c.request(2, "ping", null).get("result").toString());
    }

    @Test
    void ping_returnsEmptyObject_evenBeforeInitialize() throws Exception {
        JsonNode r = c.request("p-1", "ping", null);
        assertEquals("{\"jsonrpc\":\"2.0\",\"id\":\"p-1\",\"result\":{}}", r.toString());
    }

    @Test
    void toolsList_showsOnlyGrantedTools_withSchemas_andIgnoresCursor() throws Exception {
        JsonNode tools = c.request(1, "tools/list", "{\"cursor\":\"abc\"}").at("/result/tools");
        List<String> names = new ArrayList<>();
        tools.forEach(t -> names.add(t.get("name").asText()));
        assertEquals(List.of("add", "crash", "echo", "fail", "liar"), names); // sorted; secret_tool not granted
        JsonNode add = tools.get(0);
        assertEquals("object", add.at("/inputSchema/type").asText());
        assertEquals("integer", add.at("/outputSchema/properties/sum/type").asText());
        assertFalse(tools.get(2).has("outputSchema"));
        assertTrue(tools.get(2).get("description").asText().contains("echo"));
    }

    @Test
    void toolsList_followsGrantChanges() throws Exception {
        h.auth.granted.remove("echo");
        h.auth.granted.add("secret_tool");
        JsonNode tools = c.request(1, "tools/list", null).at("/result/tools");
        Set<String> names = new java.util.TreeSet<>();
        tools.forEach(t -> names.add(t.get("name").asText()));
        assertEquals(Set.of("add", "crash", "fail", "liar", "secret_tool"), names);
    }

    @Test
    void toolsCall_success_textAndStructured() throws Exception {
        JsonNode r = c.call(1, "echo", "{\"text\":\"héllo ✓ \\n\"}");
        assertEquals("héllo ✓ \n", RawClient.text(r));
        assertFalse(RawClient.isError(r));

        JsonNode s = c.call(2, "add", "{\"a\":2,\"b\":40}").get("result");
        assertEquals(42, s.at("/structuredContent/sum").asInt());
        assertEquals("{\"sum\":42}", s.at("/content/0/text").asText());
        assertFalse(s.get("isError").asBoolean());
    }

    @Test
    void toolsCall_structuredNotMatchingOutputSchema_isError() throws Exception {
        JsonNode r = c.call(1, "liar", "{}");
        assertTrue(RawClient.isError(r));
        assertTrue(RawClient.text(r).contains("does not match its outputSchema"), RawClient.text(r));
        assertFalse(r.get("result").has("structuredContent"));
    }

    @Test
    void toolsCall_unknownOrUngranted_isJsonRpcInvalidParams() throws Exception {
        JsonNode r = c.call(1, "nope", "{}");
        assertEquals(-32602, r.at("/error/code").asInt());
        assertEquals("Unknown tool: nope", r.at("/error/message").asText());
        // Exists but not granted: indistinguishable from unknown.
        JsonNode s = c.call(2, "secret_tool", "{}");
        assertEquals("Unknown tool: secret_tool", s.at("/error/message").asText());
        assertEquals(0, h.auth.authorizeCalls.get(), "nothing consumed for unknown tools");
    }

    @Test
    void toolsCall_invalidArguments_isInvalidParamsWithMessages() throws Exception {
        JsonNode r = c.call(1, "add", "{\"a\":\"two\"}");
        assertEquals(-32602, r.at("/error/code").asInt());
        assertTrue(r.at("/error/message").asText().contains("add"));
        String errors = r.at("/error/data/errors").toString();
        assertTrue(errors.contains("a") && errors.contains("b"), errors);
        assertEquals(0, h.auth.authorizeCalls.get());
        JsonNode x = c.call(2, "echo", "{\"text\":\"t\",\"extra\":1}");
        assertEquals(-32602, x.at("/error/code").asInt());
    }

    @Test
    void toolsCall_malformedParams_areInvalidParams() throws Exception {
        assertEquals(-32602, c.request(1, "tools/call", "{\"arguments\":{}}").at("/error/code").asInt());
        assertEquals(-32602, c.request(2, "tools/call", "{\"name\":\"echo\",\"arguments\":[1]}").at("/error/code").asInt());
        assertEquals(-32602, c.request(3, "tools/call", "[1,2]").at("/error/code").asInt());
    }

    @Test
    void toolsCall_deniedByBroker_isErrorResult() throws Exception {
        h.auth.exhausted.put("echo", "grant 7 exhausted: 100 of 100 invocations used");
        JsonNode r = c.call(1, "echo", "{\"text\":\"x\"}");
        assertTrue(RawClient.isError(r));
        assertEquals("denied: grant 7 exhausted: 100 of 100 invocations used", RawClient.text(r));
        h.awaitRecords(1);
        assertEquals("denied: grant 7 exhausted: 100 of 100 invocations used", h.records.get(0).decision());
    }

    @Test
    void toolsCall_toolFailure_isErrorResultWithMessage() throws Exception {
        JsonNode r = c.call(1, "fail", "{}");
        assertTrue(RawClient.isError(r));
        assertEquals("disk on fire", RawClient.text(r));
        JsonNode crash = c.call(2, "crash", "{}");
        assertTrue(RawClient.isError(crash));
        assertTrue(RawClient.text(crash).contains("internal error in tool crash"), RawClient.text(crash));
        assertFalse(RawClient.text(crash).contains("bug"), "no internals beyond the exception type");
    }

    @Test
    void approval_denied_isErrorAndConsumesNothing_approved_runs() throws Exception {
        h.auth.needsApproval = Set.of("echo");
        h.auth.approver = (tool, sha) -> false;
        JsonNode r = c.call(1, "echo", "{\"text\":\"rm -rf\"}");
        assertTrue(RawClient.isError(r));
        assertEquals("approval denied or expired", RawClient.text(r));
        assertEquals(0, h.auth.authorizeCalls.get());

        String expectedSha = CanonicalJson.sha256Hex(TestTools.json("{\"text\":\"ok\"}"));
        h.auth.approver = (tool, sha) -> sha.equals(expectedSha);
        JsonNode ok = c.call(2, "echo", "{ \"text\" : \"ok\" }");
        assertEquals("ok", RawClient.text(ok));
        assertEquals(1, h.auth.authorizeCalls.get());
        assertEquals("echo " + expectedSha + " {\"text\":\"ok\"}", h.auth.approvalRequests.get(1));
        h.awaitRecords(2);
        assertEquals("approval denied", h.records.get(0).decision());
    }

    @Test
    void unknownMethod_isMethodNotFound() throws Exception {
        JsonNode r = c.request(1, "resources/list", null);
        assertEquals(-32601, r.at("/error/code").asInt());
    }

    @Test
    void invalidRequests_getInvalidRequest() throws Exception {
        c.send("{\"id\":1,\"method\":\"ping\"}");
        JsonNode r = c.next();
        assertEquals(-32600, r.at("/error/code").asInt());
        assertEquals(1, r.get("id").asInt());
        c.send("[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}]");
        assertEquals(-32600, c.next().at("/error/code").asInt());
        c.send("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"ping\"}");
        JsonNode bad = c.next();
        assertEquals(-32600, bad.at("/error/code").asInt());
        assertTrue(bad.get("id").isNull());
        c.send("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}");
        assertEquals(-32600, c.next().at("/error/code").asInt());
        c.send("\"just a string\"");
        assertEquals(-32600, c.next().at("/error/code").asInt());
    }

    @Test
    void notifications_areNeverAnswered() throws Exception {
        c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\",\"params\":[1]}");
        c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":99}}");
        c.send("{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}"); // a response to nothing
        assertEquals(7, c.request(7, "ping", null).get("id").asInt(), "the first answer is the ping's");
    }

    @Test
    void malformedJson_isParseError_andConnectionStays() throws Exception {
        c.send("{\"jsonrpc\":\"2.0\",\"id\":1,");
        JsonNode r = c.next();
        assertEquals(-32700, r.at("/error/code").asInt());
        assertTrue(r.get("id").isNull());
        c.sendBytes(new byte[] {(byte) 0xff, (byte) 0xfe, '{', '\n'});
        assertEquals(-32700, c.next().at("/error/code").asInt());
        c.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {\"trailing\":1}");
        assertEquals(-32700, c.next().at("/error/code").asInt());
        // Duplicate keys: two parsers could read this differently, so it is refused.
        c.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"method\":\"tools/list\"}");
        assertEquals(-32700, c.next().at("/error/code").asInt());
        c.send("");
        c.send("   \r");
        assertEquals("{}", c.request(2, "ping", null).get("result").toString());
    }

    @Test
    void deepNesting_isRejected_andConnectionStays() throws Exception {
        String deep = "[".repeat(100) + "]".repeat(100);
        c.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":"
                + deep + "}}}");
        JsonNode r = c.next();
        assertEquals(-32700, r.at("/error/code").asInt());
        assertTrue(r.at("/error/message").asText().contains("depth"), r.toString());
        String ok = "[".repeat(50) + "]".repeat(50);
        JsonNode v = c.call(2, "echo", "{\"text\":" + ok + "}");
        assertEquals(-32602, v.at("/error/code").asInt(), "parsed fine, then refused by the schema");
    }

    @Test
    void lineLongerThanLimit_getsErrorAndConnectionCloses() throws Exception {
        byte[] big = new byte[64 * 1024 + 10];
        java.util.Arrays.fill(big, (byte) 'a');
        c.sendBytes(big);
        JsonNode r = c.next();
        assertEquals(-32600, r.at("/error/code").asInt());
        assertTrue(r.at("/error/message").asText().contains("longer than 65536"));
        assertTrue(c.closedWithin(2000));
        try (RawClient d = h.client()) {
            assertEquals("{}", d.request(1, "ping", null).get("result").toString(), "the gateway goes on");
        }
    }

    @Test
    void lineOfExactlyTheLimit_isAccepted() throws Exception {
        String head = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"";
        String tail = "\"}}}";
        String line = head + "y".repeat(64 * 1024 - head.length() - tail.length()) + tail;
        assertEquals(64 * 1024, line.getBytes(StandardCharsets.UTF_8).length);
        c.send(line);
        assertFalse(RawClient.isError(c.next()));
    }

    @Test
    void listChanged_isBroadcastToEveryConnection() throws Exception {
        try (RawClient d = h.client()) {
            c.request(1, "ping", null);
            d.request(1, "ping", null); // both connections are registered now
            h.gateway.sendListChanged();
            String expected = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}";
            assertEquals(expected, c.next().toString());
            assertEquals(expected, d.next().toString());
        }
    }

    @Test
    void duplicateInFlightId_isInvalidRequest() throws Exception {
        TestTools.Blocker b = new TestTools.Blocker();
        try (Harness h2 = new Harness(dir.resolve("x").toFile().mkdir() ? dir.resolve("x") : dir, ToolRegistry.of(b.tool("block")),
                "block"); RawClient d = h2.client()) {
            d.sendCall(1, "block", "{}");
            b.startedLatch.await();
            d.sendCall(1, "block", "{}");
            JsonNode r = d.next();
            assertEquals(-32600, r.at("/error/code").asInt());
            assertEquals(1, r.get("id").asInt());
            b.release.countDown();
            assertEquals("released", RawClient.text(d.next()));
        }
    }

    @Test
    void requestIdsOfAnyStringOrNumber_areEchoedExactly() throws Exception {
        assertEquals("\"a\\\"b\"", c.request("a\\\"b", "ping", null).get("id").toString());
        assertEquals("12345678901234", c.request(12345678901234L, "ping", null).get("id").toString());
        assertEquals("-1", c.request(-1, "ping", null).get("id").toString());
        assertNull(c.nextLine(50));
    }
}
