package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Rpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code llm_complete} against a fake OpenAI-compatible provider on 127.0.0.1,
 * configured the way an admin does (agentd.yaml {@code llm_providers}, the API
 * key in the vault): the agent needs {@code llm: PROVIDER}, never sees the key,
 * and its token budget is checked before the provider is asked.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LlmCompleteIT {
    static final String KEY = "sk-fake-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
    static final long BUDGET = 300;

    static LocalHttp provider;
    static Agentd agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        provider = LocalHttp.start();
        provider.route("/v1/chat/completions", LlmCompleteIT::complete);
        agentd = Agentd.inProcess("""
                llm_providers:
                  - name: fake
                    base_url: http://127.0.0.1:%d/v1
                    models: [fake-model]
                    api_key_secret: fake_key
                    max_concurrent: 2
                    default_max_tokens: 32
                llm_token_budget: %d
                """.formatted(provider.port(), BUDGET));
        agentd.call("secret.set", Map.of("name", "fake_key", "value_base64",
                Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8))));
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    /** An OpenAI-style answer: the last user message back, fixed usage; "please fail" gets an HTTP 500. */
    static LocalHttp.Answer complete(LocalHttp.Request q) {
        try {
            JsonNode req = Rpc.JSON.readTree(q.body());
            JsonNode msgs = req.path("messages");
            String last = msgs.path(msgs.size() - 1).path("content").asText();
            if (last.contains("please fail")) {
                return new LocalHttp.Answer(500, Map.of("Content-Type", "application/json"),
                        "{\"error\":{\"message\":\"the fake is overloaded\",\"type\":\"server_error\"}}");
            }
            ObjectNode a = Rpc.JSON.createObjectNode();
            a.put("id", "chatcmpl-1").put("object", "chat.completion").put("model", req.path("model").asText());
            ObjectNode choice = a.putArray("choices").addObject();
            choice.put("index", 0).put("finish_reason", "stop");
            choice.putObject("message").put("role", "assistant").put("content", "fake says: " + last);
            a.putObject("usage").put("prompt_tokens", 10).put("completion_tokens", 5).put("total_tokens", 15);
            return new LocalHttp.Answer(200, Map.of("Content-Type", "application/json"), Rpc.JSON.writeValueAsString(a));
        } catch (IOException e) {
            return new LocalHttp.Answer(400, Map.of(), "bad request: " + e.getMessage());
        }
    }

    static Map<String, Object> ask(String model, String text, int maxTokens) {
        return Map.of("provider", "fake", "model", model, "max_tokens", maxTokens,
                "messages", List.of(Map.of("role", "system", "content", "be brief"), Map.of("role", "user", "content", text)));
    }

    @Test
    void a_completion_through_the_configured_provider_within_the_agents_budget() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("llm")
                .cap("tool: llm_complete").cap("llm: fake")
                .cap("tool: http_fetch").cap("net: 127.0.0.1:" + provider.port()));
        int before = provider.requests().size();

        JsonNode r = d.callOk("llm_complete", ask("fake-model", "say hi", 20));
        assertEquals("fake says: say hi", Driver.text(r), r.toString());
        assertEquals("fake says: say hi", r.path("structuredContent").path("content").asText(), r.toString());
        assertEquals(15, r.path("structuredContent").path("usage").path("total_tokens").asInt(), r.toString());
        assertEquals("stop", r.path("structuredContent").path("finish_reason").asText(), r.toString());
        LocalHttp.Request sent = provider.requests().get(before);
        assertEquals("POST", sent.method());
        assertEquals("Bearer " + KEY, sent.header("Authorization"), "the key from the vault, added by agentd");
        JsonNode body = Rpc.JSON.readTree(sent.body());
        assertEquals("fake-model", body.path("model").asText(), sent.body());
        assertEquals(20, body.path("max_tokens").asInt(), sent.body());
        assertEquals("say hi", body.path("messages").path(1).path("content").asText(), sent.body());

        // Refused before the provider is asked: a model the admin did not allow, a provider not configured.
        int asked = provider.requests().size();
        String why = d.callDenied("llm_complete", ask("gpt-5", "hi", 5));
        assertTrue(why.contains("does not offer model \"gpt-5\""), why);
        why = d.callDenied("llm_complete", Map.of("provider", "openai", "model", "x",
                "messages", List.of(Map.of("role", "user", "content", "hi"))));
        assertTrue(why.contains("unknown provider \"openai\""), why);
        assertEquals(asked, provider.requests().size());

        // The provider's error reaches the agent as such.
        why = d.callDenied("llm_complete", ask("fake-model", "please fail", 10));
        assertTrue(why.contains("answered HTTP 500") && why.contains("the fake is overloaded"), why);

        // The budget (300 tokens per agent): a call that could exceed it never reaches the provider.
        asked = provider.requests().size();
        why = d.callDenied("llm_complete", ask("fake-model", "a long essay", 280));
        assertTrue(why.contains("token budget for provider fake exhausted"), why);
        assertEquals(asked, provider.requests().size(), "an over-budget call went out");

        // The key is the provider's, not the agent's secret: it cannot put it in a header of its own.
        why = d.callDenied("http_fetch", Map.of("url", "http://127.0.0.1:" + provider.port() + "/v1/models",
                "headers", Map.of("X-Key", "${secret:fake_key}")));
        assertTrue(why.contains("secret fake_key is not available to this agent"), why);
        // And the key appears nowhere the agent or the audit log could show it.
        assertFalse(String.join("\n", d.log()).contains(KEY), "the key reached the agent");
        assertFalse(agentd.auditRecords(null).toString().contains(KEY), "the key is in the audit log");
        assertFalse(String.join("\n", agentd.audit().lines()).contains(KEY), "the key is on agentd's stdout");
    }

    @Test
    void an_agent_without_the_llm_grant_cannot_use_the_provider() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("llm-stranger").cap("tool: llm_complete"));
        int asked = provider.requests().size();
        String why = d.callDenied("llm_complete", ask("fake-model", "hi", 5));
        assertTrue(why.contains("llm fake denied: no grant for llm"), why);
        assertEquals(asked, provider.requests().size());
    }
}
