package dev.agentd.toolcall.tools;

import static dev.agentd.toolcall.tools.Calls.fails;
import static dev.agentd.toolcall.tools.Calls.ok;
import static dev.agentd.toolcall.tools.Calls.structured;
import static dev.agentd.toolcall.tools.Calls.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.ToolResult;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** llm_complete against a fake OpenAI-compatible server on 127.0.0.1. */
class LlmCompleteToolTest {
    static final String ANSWER = """
            {"id": "c1", "object": "chat.completion", "model": "tiny-1",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there"}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}""";

    LoopbackServer server;
    FakeContext ctx;
    InMemoryTokenBudget budget;
    LlmCompleteTool tool;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile long delayMillis;
    volatile int status = 200;

    @BeforeEach
    void setUp() throws Exception {
        server = new LoopbackServer().on("/v1/chat/completions", ex -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            if (status == 200) {
                LoopbackServer.send(ex, 200, "application/json", ANSWER.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } else {
                LoopbackServer.send(ex, status, "application/json",
                        ("{\"error\": {\"message\": \"bad key " + ex.getRequestHeaders().getFirst("Authorization")
                                + "\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        LlmProviders providers = new LlmProviders(List.of(
                new LlmProviders.Provider("local", URI.create("http://127.0.0.1:" + server.port() + "/v1"),
                        Set.of("tiny-1"), Optional.of("local_key"), 2, 256),
                new LlmProviders.Provider("open", URI.create("http://127.0.0.1:" + server.port() + "/v1/"),
                        Set.of(), Optional.empty(), 1, 256)));
        budget = InMemoryTokenBudget.perAgent(1000);
        tool = new LlmCompleteTool(providers, budget);
        ctx = new FakeContext().grant(GrantKind.LLM, "local").grant(GrantKind.SECRET, "local_key")
                .secret("local_key", "sk-test-123");
    }

    @AfterEach
    void tearDown() {
        server.close();
    }

    private static String args(String provider, int maxTokens) {
        return "{\"provider\": \"" + provider + "\", \"model\": \"tiny-1\", \"max_tokens\": " + maxTokens
                + ", \"temperature\": 0.5, \"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"Hello\"}]}";
    }

    @Test
    void complete_requestShapeAndAuthorizationFromTheVault() throws Exception {
        ToolResult r = ok(tool, ctx, args("local", 100));
        assertEquals("Hi there", text(r));
        JsonNode s = structured(r);
        assertEquals("tiny-1", s.get("model").asText());
        assertEquals("stop", s.get("finish_reason").asText());
        assertEquals(15, s.get("usage").get("total_tokens").asLong());

        LoopbackServer.Request req = server.requests.get(0);
        assertEquals("POST", req.method());
        assertEquals("/v1/chat/completions", req.path());
        assertEquals("Bearer sk-test-123", req.header("Authorization"));
        assertEquals("application/json", req.header("Content-Type"));
        JsonNode body = Json.parse(req.body());
        assertEquals("tiny-1", body.get("model").asText());
        assertEquals(100, body.get("max_tokens").asInt());
        assertEquals(0.5, body.get("temperature").asDouble());
        assertEquals("system", body.get("messages").get(0).get("role").asText());
        assertEquals("Hello", body.get("messages").get(1).get("content").asText());
        assertFalse((r.content().toString() + s).contains("sk-test-123"));
        assertEquals(List.of("llm: local"), ctx.authorized);
    }

    @Test
    void complete_usageSettled() throws Exception {
        ok(tool, ctx, args("local", 100));
        assertEquals(15, budget.used("agent-1", "local"));
        assertEquals(0, budget.reserved("agent-1", "local"));
    }

    @Test
    void complete_budgetRefusedBeforeTheCall() {
        fails(tool, ctx, args("local", 2000), "token budget for provider local exhausted");
        assertTrue(server.requests.isEmpty(), "the provider was not called");
        assertEquals(0, budget.reserved("agent-1", "local"));
        assertTrue(ctx.revealed.isEmpty(), "the key was not even fetched");
    }

    @Test
    void complete_budgetAccumulatesAcrossCalls() throws Exception {
        InMemoryTokenBudget small = InMemoryTokenBudget.perAgent(300);
        LlmCompleteTool t = new LlmCompleteTool(new LlmProviders(List.of(new LlmProviders.Provider("local",
                URI.create("http://127.0.0.1:" + server.port() + "/v1"), Set.of(), Optional.of("local_key"), 2, 256))),
                small);
        // Each call reserves 250 + a small prompt estimate and settles at 15.
        for (int i = 0; i < 3; i++) {
            ok(t, ctx, args("local", 250));
        }
        assertEquals(45, small.used("agent-1", "local"));
        fails(t, ctx, args("local", 280), "exhausted");
    }

    @Test
    void complete_needsLlmGrantAndKeySecret() {
        FakeContext noLlm = new FakeContext().grant(GrantKind.SECRET, "local_key").secret("local_key", "k");
        fails(tool, noLlm, args("local", 10), "llm local denied");
        FakeContext noKey = new FakeContext().grant(GrantKind.LLM, "local").secret("local_key", "k");
        fails(tool, noKey, args("local", 10), "secret local_key) is not available to this agent");
        assertTrue(server.requests.isEmpty());
        assertEquals(0, budget.reserved("agent-1", "local"));
        assertEquals(0, budget.used("agent-1", "local"), "nothing was sent, nothing is charged");
    }

    @Test
    void complete_unknownProviderAndModelRefused() {
        fails(tool, ctx, args("nope", 10), "unknown provider \"nope\"; configured: [local, open]");
        fails(tool, ctx, "{\"provider\": \"local\", \"model\": \"huge-9\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"x\"}]}", "does not offer model \"huge-9\"");
        assertTrue(ctx.authorized.isEmpty());
    }

    @Test
    void complete_providerWithoutKeySendsNoAuthorization() throws Exception {
        FakeContext c = new FakeContext().grant(GrantKind.LLM, "open");
        ok(tool, c, args("open", 10));
        assertEquals(null, server.requests.get(0).header("Authorization"));
        assertEquals("/v1/chat/completions", server.requests.get(0).path());
    }

    @Test
    void complete_providerErrorIsScrubbedAndCharged() {
        status = 401;
        var e = fails(tool, ctx, args("local", 100), "provider local answered HTTP 401: bad key Bearer [secret:local_key]");
        assertFalse(e.getMessage().contains("sk-test-123"));
        assertTrue(budget.used("agent-1", "local") > 0, "a request that went out is charged its reservation");
    }

    @Test
    void complete_concurrencyLimitHonoured() throws Exception {
        delayMillis = 300;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ToolResult>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> tool.call(Calls.call(ctx, args("local", 10)))));
            }
            for (Future<ToolResult> f : results) {
                assertEquals("Hi there", text(f.get()));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(4, server.requests.size());
        assertEquals(2, maxInFlight.get(), "maxConcurrent 2: never more, and with 4 callers, reached");
    }

    @Test
    void complete_waitingForASlotEndsAtTheDeadline() throws Exception {
        delayMillis = 1500;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            FakeContext c = new FakeContext().grant(GrantKind.LLM, "open");
            Future<ToolResult> first = pool.submit(() -> tool.call(Calls.call(c, args("open", 10))));
            Thread.sleep(200);
            fails(tool, Calls.call(c, args("open", 10), java.time.Duration.ofMillis(300),
                    new dev.agentd.toolcall.CancellationToken()), "provider open busy: all 1 concurrent slots");
            assertEquals("Hi there", text(first.get()));
        } finally {
            pool.shutdownNow();
        }
    }
}
