package dev.agentd.toolcall.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.Decision;
import dev.agentd.broker.GrantKind;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code llm_complete {provider, model, messages, max_tokens?, temperature?}}:
 * one OpenAI-compatible chat completion ({@code POST baseUrl/chat/completions})
 * to a provider from {@link LlmProviders}.
 *
 * <p>Order, each step refusing before the next costs anything: the provider
 * and model are configured; {@code llm: PROVIDER} is authorized (one
 * invocation); the agent's {@link TokenBudget} reserves {@code max_tokens} plus
 * an estimate of the prompt — so an agent over budget never reaches the
 * provider; a slot of the provider's concurrency limit is taken (waiting at
 * most until the call's deadline); the API key is fetched from the vault
 * (the agent must hold {@code secret: KEY}; it never sees the value); the call
 * is made; the reservation is settled with the provider's
 * {@code usage.total_tokens} (or the whole reservation when the provider did
 * not say, or when the request went out and no answer came back).
 */
public final class LlmCompleteTool extends SchemaTool {
    public static final String NAME = "llm_complete";
    /** Largest provider response read. */
    static final long MAX_RESPONSE_BYTES = 8L << 20;

    private final LlmProviders providers;
    private final TokenBudget budget;
    private final Map<String, Semaphore> slots = new LinkedHashMap<>();

    public LlmCompleteTool(LlmProviders providers, TokenBudget budget) {
        super(NAME, "Asks a configured LLM provider for a chat completion. Needs an llm grant for the provider;"
                + " tokens count against the agent's budget.", """
                {
                  "type": "object",
                  "properties": {
                    "provider": {"type": "string", "minLength": 1, "maxLength": 256},
                    "model": {"type": "string", "minLength": 1, "maxLength": 256},
                    "messages": {
                      "type": "array",
                      "minItems": 1,
                      "maxItems": 1000,
                      "items": {
                        "type": "object",
                        "properties": {
                          "role": {"enum": ["system", "developer", "user", "assistant"]},
                          "content": {"type": "string"}
                        },
                        "required": ["role", "content"],
                        "additionalProperties": false
                      }
                    },
                    "max_tokens": {"type": "integer", "minimum": 1, "maximum": 1000000,
                                   "description": "Most tokens to generate; reserved from the budget before the call."},
                    "temperature": {"type": "number", "minimum": 0, "maximum": 2}
                  },
                  "required": ["provider", "model", "messages"],
                  "additionalProperties": false
                }""", """
                {
                  "type": "object",
                  "properties": {
                    "content": {"type": "string"},
                    "model": {"type": "string"},
                    "finish_reason": {"type": "string"},
                    "usage": {
                      "type": "object",
                      "properties": {
                        "prompt_tokens": {"type": "integer", "minimum": 0},
                        "completion_tokens": {"type": "integer", "minimum": 0},
                        "total_tokens": {"type": "integer", "minimum": 0}
                      },
                      "required": ["total_tokens"],
                      "additionalProperties": false
                    }
                  },
                  "required": ["content", "model", "usage"],
                  "additionalProperties": false
                }""");
        this.providers = providers;
        this.budget = budget;
        for (LlmProviders.Provider p : providers.all()) {
            // Fair: under load, callers get slots in the order they asked.
            slots.put(p.name(), new Semaphore(p.maxConcurrent(), true));
        }
    }

    @Override
    public ToolResult call(ToolCall call) throws ToolException {
        JsonNode args = call.arguments();
        String providerName = args.get("provider").asText();
        LlmProviders.Provider provider = providers.get(providerName).orElseThrow(() -> new ToolException(
                "unknown provider \"" + Json.printable(providerName) + "\"; configured: " + providers.names()));
        String model = args.get("model").asText();
        if (!provider.allowsModel(model)) {
            throw new ToolException("provider " + provider.name() + " does not offer model \"" + Json.printable(model)
                    + "\" here; allowed: " + provider.models().stream().sorted().toList());
        }
        long maxTokens = Json.number(args, "max_tokens", provider.defaultMaxTokens());
        Decision d = call.context().authorize(GrantKind.LLM, provider.name());
        if (!(d instanceof Decision.Allowed)) {
            throw new ToolException("llm " + provider.name() + " denied: " + ((Decision.Denied) d).reason());
        }
        long reserve = maxTokens + promptEstimate(args.get("messages"));
        if (!budget.reserve(call.agentId(), provider.name(), reserve)) {
            throw new ToolException("token budget for provider " + provider.name() + " exhausted: this call needs up"
                    + " to " + reserve + " tokens (max_tokens " + maxTokens + " plus the prompt); lower max_tokens or ask"
                    + " for a larger budget");
        }
        long used = 0;
        boolean[] sent = {false};
        try {
            Semaphore slot = slots.get(provider.name());
            acquire(slot, provider, call);
            try {
                JsonNode answer = complete(provider, model, maxTokens, args, call, sent);
                JsonNode usage = answer.path("usage");
                used = usage.path("total_tokens").canConvertToLong() ? usage.path("total_tokens").asLong()
                        : usage.path("prompt_tokens").asLong(reserve) + usage.path("completion_tokens").asLong(0);
                return result(answer, model, used);
            } finally {
                slot.release();
            }
        } catch (ToolException | RuntimeException e) {
            // A request that went out may have been billed: charge the reservation.
            used = sent[0] ? reserve : 0;
            throw e;
        } finally {
            budget.settle(call.agentId(), provider.name(), reserve, used);
        }
    }

    private static void acquire(Semaphore slot, LlmProviders.Provider p, ToolCall call) throws ToolException {
        while (true) {
            call.cancel().throwIfCancelled();
            long ms = Duration.between(Instant.now(), call.deadline()).toMillis();
            if (ms <= 0) {
                throw new ToolException("provider " + p.name() + " busy: all " + p.maxConcurrent()
                        + " concurrent slots stayed taken until the call's deadline");
            }
            try {
                // Short waits so a cancellation is noticed promptly.
                if (slot.tryAcquire(Math.min(ms, 100), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolException("interrupted while waiting for a " + p.name() + " slot");
            }
        }
    }

    private JsonNode complete(LlmProviders.Provider p, String model, long maxTokens, JsonNode args, ToolCall call,
                              boolean[] sent) throws ToolException {
        ObjectNode request = Json.object().put("model", model);
        ArrayNode messages = request.putArray("messages");
        for (JsonNode m : args.get("messages")) {
            messages.addObject().put("role", m.get("role").asText()).put("content", m.get("content").asText());
        }
        request.put("max_tokens", maxTokens);
        if (args.hasNonNull("temperature")) {
            request.put("temperature", args.get("temperature").asDouble());
        }
        byte[] body = Json.write(request).getBytes(StandardCharsets.UTF_8);

        byte[] key = null;
        try {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            headers.add(Map.entry("Content-Type", "application/json"));
            headers.add(Map.entry("Accept", "application/json"));
            if (p.apiKeySecret().isPresent()) {
                String name = p.apiKeySecret().get();
                key = call.context().revealSecret(name).orElseThrow(() -> new ToolException("the API key of provider "
                        + p.name() + " (secret " + name + ") is not available to this agent: it needs a grant secret: "
                        + name));
                String k = new String(key, StandardCharsets.UTF_8);
                if (!k.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                    throw new ToolException("the API key of provider " + p.name() + " (secret " + name
                            + ") holds characters that cannot go in a header");
                }
                headers.add(Map.entry("Authorization", "Bearer " + k));
            }
            HttpWire.Response r = send(p, headers, body, call, sent);
            String text = new String(r.body(), StandardCharsets.UTF_8);
            if (key != null) {
                text = text.replace(new String(key, StandardCharsets.UTF_8), "[secret:" + p.apiKeySecret().get() + "]");
            }
            if (r.status() / 100 != 2) {
                throw new ToolException("provider " + p.name() + " answered HTTP " + r.status() + ": "
                        + Json.printable(errorMessage(text)));
            }
            if (r.truncated()) {
                throw new ToolException("provider " + p.name() + " answered more than " + MAX_RESPONSE_BYTES + " bytes");
            }
            try {
                return Json.MAPPER.readTree(text);
            } catch (IOException e) {
                throw new ToolException("provider " + p.name() + " answered something that is not JSON: "
                        + Json.printable(text));
            }
        } finally {
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    private static HttpWire.Response send(LlmProviders.Provider p, List<Map.Entry<String, String>> headers, byte[] body,
                                          ToolCall call, boolean[] sent) throws ToolException {
        URI uri = p.completionsUrl();
        HttpUrl url = HttpUrl.of(uri, uri.toString());
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(url.host());
        } catch (UnknownHostException e) {
            throw new ToolException("provider " + p.name() + ": cannot resolve " + url.host() + ": " + e.getMessage());
        }
        IOException last = null;
        for (InetAddress a : addresses) {
            HttpWire.Target t = new HttpWire.Target(url.tls(), url.host(), url.port(), a, url.requestTarget());
            try {
                sent[0] = true;
                return HttpWire.exchange(t, "POST", headers, body, MAX_RESPONSE_BYTES, call.deadline(), call.cancel());
            } catch (ConnectException | NoRouteToHostException e) {
                sent[0] = false; // refused before anything was sent: not billed
                last = e;
            } catch (IOException e) {
                throw new ToolException("provider " + p.name() + " (" + uri + ") failed: " + e.getMessage(), e);
            }
        }
        throw new ToolException("provider " + p.name() + ": cannot connect to " + url.grantValue() + ": "
                + (last == null ? "no address" : last.getMessage()));
    }

    /** The OpenAI error shape {@code {"error": {"message": ...}}}, else the start of the body. */
    private static String errorMessage(String body) {
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            if (n != null && n.path("error").path("message").isTextual()) {
                return n.path("error").path("message").asText();
            }
        } catch (IOException notJson) {
            // fall through to the raw text
        }
        return body.length() > 500 ? body.substring(0, 500) + "..." : body;
    }

    private static ToolResult result(JsonNode answer, String askedModel, long used) throws ToolException {
        JsonNode choice = answer.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new ToolException("provider answer has no choices: " + Json.printable(Json.write(answer)));
        }
        String content = choice.path("message").path("content").asText("");
        ObjectNode out = Json.object()
                .put("content", content)
                .put("model", answer.path("model").asText(askedModel));
        if (choice.path("finish_reason").isTextual()) {
            out.put("finish_reason", choice.path("finish_reason").asText());
        }
        ObjectNode usage = out.putObject("usage");
        JsonNode u = answer.path("usage");
        if (u.path("prompt_tokens").canConvertToLong()) {
            usage.put("prompt_tokens", Math.max(0, u.path("prompt_tokens").asLong()));
        }
        if (u.path("completion_tokens").canConvertToLong()) {
            usage.put("completion_tokens", Math.max(0, u.path("completion_tokens").asLong()));
        }
        usage.put("total_tokens", Math.max(0, used));
        return new ToolResult(List.of(FileReadTool.textBlock(content)), Optional.of(out), false);
    }

    /**
     * A rough prompt size, about 4 characters per token plus a few per message:
     * enough for the reservation to stop an agent that sends a huge prompt with
     * a tiny max_tokens; the settlement corrects it.
     */
    static long promptEstimate(JsonNode messages) {
        long chars = 0;
        for (JsonNode m : messages) {
            chars += m.path("content").asText("").length();
        }
        return chars / 4 + 4L * messages.size();
    }
}
