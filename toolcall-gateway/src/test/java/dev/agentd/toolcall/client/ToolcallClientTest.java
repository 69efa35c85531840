package dev.agentd.toolcall.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.Authorizer;
import dev.agentd.toolcall.CallListener;
import dev.agentd.toolcall.Gateway;
import dev.agentd.toolcall.GatewayConfig;
import dev.agentd.toolcall.Tool;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolRegistry;
import dev.agentd.toolcall.ToolResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolcallClientTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final AtomicInteger echoCalls = new AtomicInteger();
    volatile CountDownLatch hangStarted = new CountDownLatch(1);

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    /** Grants every tool the registry has. */
    static final class AllowAll implements Authorizer {
        static Decision allow(GrantKind k, String v) {
            return Decision.allowed(new Grant(1, "a", k, v, OptionalLong.empty(), Optional.empty(), Optional.empty(),
                    OptionalLong.empty(), false));
        }

        @Override
        public Decision check(GrantKind kind, String value) {
            return allow(kind, value);
        }

        @Override
        public Decision authorize(GrantKind kind, String value) {
            return allow(kind, value);
        }

        @Override
        public List<Grant> grants(GrantKind kind) {
            return List.of();
        }

        @Override
        public Optional<byte[]> revealSecret(String name) {
            return Optional.empty();
        }
    }

    Tool tool(String name, String schema, java.util.function.Function<ToolCall, ToolResult> body) throws IOException {
        JsonNode s = json(schema);
        return new Tool() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return name;
            }

            @Override
            public JsonNode inputSchema() {
                return s;
            }

            @Override
            public ToolResult call(ToolCall call) {
                return body.apply(call);
            }
        };
    }

    Gateway open() throws IOException {
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Tool echo = tool("echo", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}", c -> {
            echoCalls.incrementAndGet();
            return ToolResult.text(c.arguments().get("text").asText());
        });
        Tool fail = tool("fail", "{\"type\":\"object\"}", c -> ToolResult.error("nope"));
        Tool hang = tool("hang", "{\"type\":\"object\"}", c -> {
            hangStarted.countDown();
            while (!c.cancel().isCancelled()) {
                Thread.onSpinWait();
            }
            return ToolResult.text("cancelled");
        });
        return Gateway.open(GatewayConfig.builder("a", dir.resolve("toolcall.sock"), uid).build(),
                ToolRegistry.of(echo, fail, hang), new AllowAll(), CallListener.NONE);
    }

    @Test
    void listAndCall_resultsAndErrors() throws Exception {
        try (Gateway g = open(); ToolcallClient c = ToolcallClient.connect(g.socketPath())) {
            assertEquals("2025-11-25", c.initializeResult().get("protocolVersion").asText());
            assertEquals("agentd", c.initializeResult().at("/serverInfo/name").asText());
            assertEquals(List.of("echo", "fail", "hang"), c.listTools().stream().map(t -> t.get("name").asText()).toList());
            JsonNode r = c.callTool("echo", json("{\"text\":\"hi\"}"));
            assertEquals("hi", r.at("/content/0/text").asText());
            assertFalse(r.get("isError").asBoolean());
            assertTrue(c.callTool("fail", null).get("isError").asBoolean(), "tool errors are results, not exceptions");
            ToolcallException unknown = assertThrows(ToolcallException.class, () -> c.callTool("nope", null));
            assertEquals(-32602, unknown.code());
            ToolcallException invalid = assertThrows(ToolcallException.class, () -> c.callTool("echo", json("{}")));
            assertTrue(invalid.data().orElseThrow().get("errors").size() > 0);
            c.ping();
        }
    }

    @Test
    void reconnectsTransparently_afterTheGatewayRestartsOnTheSamePath() throws Exception {
        Gateway g = open();
        try (ToolcallClient c = ToolcallClient.connect(g.socketPath())) {
            assertEquals("1", c.callTool("echo", json("{\"text\":\"1\"}")).at("/content/0/text").asText());
            g.close();
            g = open(); // agentd restarted the gateway
            assertEquals("2", c.callTool("echo", json("{\"text\":\"2\"}")).at("/content/0/text").asText());
            assertEquals(2, echoCalls.get(), "sent exactly once each");
            assertEquals("2025-11-25", c.initializeResult().get("protocolVersion").asText());
        } finally {
            g.close();
        }
    }

    @Test
    void aCallInterruptedAfterSending_isNotRetried_andSaysItMayHaveRun() throws Exception {
        Gateway g = open();
        try (ToolcallClient c = ToolcallClient.connect(g.socketPath())) {
            Gateway first = g;
            Thread killer = new Thread(() -> {
                try {
                    if (hangStarted.await(5, TimeUnit.SECONDS)) {
                        first.close();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            killer.start();
            IOException e = assertThrows(IOException.class, () -> c.callTool("hang", null));
            assertTrue(e.getMessage().contains("may have run"), e.getMessage());
            killer.join();
            g = open();
            assertEquals("again", c.callTool("echo", json("{\"text\":\"again\"}")).at("/content/0/text").asText());
        } finally {
            g.close();
        }
    }

    @Test
    void notifications_reachTheHandler() throws Exception {
        try (Gateway g = open(); ToolcallClient c = ToolcallClient.connect(g.socketPath())) {
            List<String> seen = new CopyOnWriteArrayList<>();
            c.onNotification(n -> seen.add(n.get("method").asText()));
            c.ping();
            g.sendListChanged();
            Thread.sleep(50);
            c.ping();
            assertEquals(List.of("notifications/tools/list_changed"), seen);
        }
    }

    @Test
    void noServer_failsAfterTheConnectTimeout() {
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> ToolcallClient.connect(dir.resolve("none.sock"), Duration.ofMillis(200)));
        assertTrue(e.getMessage().startsWith("cannot connect to "), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
    }
}
