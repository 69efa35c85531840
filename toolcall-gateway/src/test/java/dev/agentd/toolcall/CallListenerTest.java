package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.GrantKind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit hook: what it receives, and that it always comes first. */
class CallListenerTest {
    @TempDir
    Path dir;

    private Gateway open(CallListener l, FakeAuthorizer auth, java.util.function.Function<String, String> redactor, Tool... tools)
            throws Exception {
        GatewayConfig cfg = GatewayConfig.builder("agent-7", dir.resolve("s.sock"), Harness.myUid(dir)).redactor(redactor).build();
        return Gateway.open(cfg, ToolRegistry.of(tools), auth, l);
    }

    @Test
    void record_isDeliveredBeforeTheClientSeesTheResult() throws Exception {
        CountDownLatch inListener = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        List<CallRecord> records = new CopyOnWriteArrayList<>();
        CallListener slowAudit = r -> {
            records.add(r);
            inListener.countDown();
            try {
                letGo.await(); // a slow fsync of the audit log
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (Gateway g = open(slowAudit, new FakeAuthorizer().grant("echo"), s -> s, TestTools.echo());
             RawClient c = new RawClient(g.socketPath())) {
            c.sendCall(1, "echo", "{\"text\":\"hi\"}");
            assertTrue(inListener.await(5, TimeUnit.SECONDS));
            assertNull(c.nextLine(300), "no answer while the record is being written");
            letGo.countDown();
            assertEquals("hi", RawClient.text(c.next()));
            assertEquals(1, records.size());
        }
    }

    /** {@code name}: returns the name of the thread it ran on; non-blocking or not. */
    private static Tool threadName(String name, boolean nonBlocking) {
        Tool t = TestTools.tool(name, "{\"type\":\"object\"}", Optional.empty(),
                c -> ToolResult.text(Thread.currentThread().getName()));
        return new Tool() {
            public String name() {
                return t.name();
            }

            public String description() {
                return t.description();
            }

            public JsonNode inputSchema() {
                return t.inputSchema();
            }

            @Override
            public boolean nonBlocking() {
                return nonBlocking;
            }

            public ToolResult call(ToolCall call) throws ToolException {
                return t.call(call);
            }
        };
    }

    @Test
    void nonBlockingTool_runsOnTheReaderThread_recordedAndAnsweredLikeAnyOther() throws Exception {
        List<CallRecord> records = new CopyOnWriteArrayList<>();
        try (Gateway g = open(records::add, new FakeAuthorizer().grant("quick").grant("slow"), s -> s,
                threadName("quick", true), threadName("slow", false));
             RawClient c = new RawClient(g.socketPath())) {
            c.sendCall(1, "quick", "{}");
            String quick = RawClient.text(c.next());
            // The reader reads the ping only after the inline call returned: by its answer the slot is free.
            c.request(2, "ping", null);
            assertEquals(0, g.callsInFlight(), "the inline call gave its slot back");
            c.sendCall(3, "slow", "{}");
            String slow = RawClient.text(c.next());
            assertTrue(quick.contains("-conn1-read-"), quick);
            assertTrue(slow.contains("-call-"), slow);
            assertEquals(2, records.size());
            assertEquals("allowed", records.get(0).decision());
        }
        assertTrue(new dev.agentd.toolcall.tools.EchoTool().nonBlocking());
    }

    @Test
    void record_carriesHashPreviewDecisionSizeAndError() throws Exception {
        List<CallRecord> records = new CopyOnWriteArrayList<>();
        FakeAuthorizer auth = new FakeAuthorizer().grant("login", "fail");
        Tool login = TestTools.text("login", a -> "welcome");
        try (Gateway g = open(records::add, auth, s -> s, login, TestTools.failing());
             RawClient c = new RawClient(g.socketPath())) {
            String args = "{\"user\":\"ann\",\"password\":\"hunter2\",\"nested\":{\"API_Key\":[1,2]},\"n\":1.50}";
            JsonNode r = c.call(1, "login", args);
            CallRecord rec = records.get(0);
            assertEquals("agent-7", rec.agentId());
            assertEquals("login", rec.tool());
            assertEquals(CanonicalJson.sha256Hex(TestTools.json(args)), rec.argsSha256());
            assertEquals(64, rec.argsSha256().length());
            assertEquals("{\"n\":1.5,\"nested\":{\"API_Key\":\"***\"},\"password\":\"***\",\"user\":\"ann\"}", rec.argsPreview());
            assertEquals("allowed", rec.decision());
            assertEquals(r.get("result").toString().length(), rec.resultBytes());
            assertEquals(Optional.empty(), rec.error());
            assertTrue(rec.durationMicros() >= 0);

            c.call(2, "fail", "{\"x\":\"" + "y".repeat(500) + "\"}");
            CallRecord f = records.get(1);
            assertEquals(Optional.of("disk on fire"), f.error());
            assertTrue(f.argsPreview().length() <= 200 && f.argsPreview().endsWith("…"), f.argsPreview());

            c.call(3, "nope", "{}");
            assertEquals("unknown tool", records.get(2).decision());
            assertEquals(3, records.size());
        }
    }

    @Test
    void record_ofACallItsToolRefused_saysRefusedWithTheReason_andNamesTheGrant() throws Exception {
        List<CallRecord> records = new CopyOnWriteArrayList<>();
        FakeAuthorizer auth = new FakeAuthorizer().grant("guarded", "echo");
        Tool guarded = TestTools.tool("guarded", TestTools.ANY, Optional.empty(), call -> {
            throw new ToolRefusedException("no file_read grant covers /etc/shadow");
        });
        try (Gateway g = open(records::add, auth, s -> s, guarded, TestTools.echo());
             RawClient c = new RawClient(g.socketPath())) {
            JsonNode r = c.call(1, "guarded", "{}");
            assertTrue(r.path("result").path("isError").asBoolean(), r.toString());
            CallRecord rec = records.get(0);
            assertEquals("refused", rec.decision());
            assertEquals(Optional.of("no file_read grant covers /etc/shadow"), rec.error());
            assertTrue(rec.grantId().isPresent(), "authorized under its tool grant before the tool refused");
            c.call(2, "echo", "{\"text\":\"hi\"}");
            assertEquals("allowed", records.get(1).decision());
            assertTrue(records.get(1).grantId().isPresent());
            c.call(3, "nope", "{}");
            assertFalse(records.get(2).grantId().isPresent(), "never authorized");
        }
    }

    @Test
    void redactor_scrubsResultsPreviewsAndErrors() throws Exception {
        List<CallRecord> records = new CopyOnWriteArrayList<>();
        FakeAuthorizer auth = new FakeAuthorizer().grant("leak", "leakfail");
        auth.secrets.put("API", "s3cr3t-value".getBytes());
        java.util.function.Function<String, String> scrub = s -> s.replace("s3cr3t-value", "[secret:API]");
        Tool leak = TestTools.tool("leak", TestTools.ANY, Optional.empty(), call -> {
            String secret = new String(call.context().revealSecret("API").orElseThrow());
            return ToolResult.structured(TestTools.json("{\"header\":\"Bearer " + secret + "\"}"), "got " + secret);
        });
        Tool leakFail = TestTools.tool("leakfail", TestTools.ANY, Optional.empty(), call -> {
            throw new ToolException("upstream rejected s3cr3t-value");
        });
        try (Gateway g = open(records::add, auth, scrub, leak, leakFail); RawClient c = new RawClient(g.socketPath())) {
            JsonNode r = c.call(1, "leak", "{\"q\":\"s3cr3t-value\"}");
            assertFalse(r.toString().contains("s3cr3t-value"), r.toString());
            assertEquals("got [secret:API]", RawClient.text(r));
            assertEquals("Bearer [secret:API]", r.at("/result/structuredContent/header").asText());
            assertFalse(records.get(0).argsPreview().contains("s3cr3t-value"));
            JsonNode f = c.call(2, "leakfail", "{}");
            assertEquals("upstream rejected [secret:API]", RawClient.text(f));
            assertEquals(Optional.of("upstream rejected [secret:API]"), records.get(1).error());
        }
    }

    @Test
    void listenerFailure_meansNoUnauditedResult() throws Exception {
        CallListener broken = r -> {
            throw new IllegalStateException("audit disk full");
        };
        try (Gateway g = open(broken, new FakeAuthorizer().grant("echo"), s -> s, TestTools.echo());
             RawClient c = new RawClient(g.socketPath())) {
            JsonNode r = c.call(1, "echo", "{\"text\":\"hi\"}");
            assertEquals(-32603, r.at("/error/code").asInt());
            assertFalse(r.toString().contains("\"hi\""));
        }
    }

    @Test
    void tools_getOnlyTheToolContext_boundToTheAgent() throws Exception {
        List<Object> seen = new CopyOnWriteArrayList<>();
        Tool probe = TestTools.tool("probe", TestTools.ANY, Optional.empty(), call -> {
            seen.add(call.agentId());
            seen.add(call.context() instanceof Authorizer);
            seen.add(call.context().authorize(GrantKind.TOOL, "probe").isAllowed());
            seen.add(call.deadline().isAfter(java.time.Instant.now()));
            return ToolResult.text("ok");
        });
        try (Gateway g = open(CallListener.NONE, new FakeAuthorizer().grant("probe"), s -> s, probe);
             RawClient c = new RawClient(g.socketPath())) {
            c.call(1, "probe", "{}");
            assertEquals(List.of("agent-7", false, true, true), seen);
        }
    }
}
