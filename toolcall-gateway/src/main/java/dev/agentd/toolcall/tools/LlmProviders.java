package dev.agentd.toolcall.tools;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The LLM providers {@code llm_complete} may call, from agentd's (root-owned)
 * configuration — never from an agent, which is why a provider's base URL may
 * be a loopback address (a local model server) and does not go through the
 * {@code net:} grant and address checks of {@code http_fetch}.
 */
public final class LlmProviders {

    /**
     * One OpenAI-compatible endpoint.
     *
     * @param name             what {@code llm: NAME} grants and the {@code provider} argument name
     * @param baseUrl          e.g. {@code https://api.openai.com/v1}; requests go to {@code baseUrl/chat/completions}
     * @param models           models an agent may ask for; empty allows any
     * @param apiKeySecret     the vault secret holding the API key (sent as {@code Authorization: Bearer}); empty
     *                         for a server that needs none
     * @param maxConcurrent    calls in flight at once across all agents
     * @param defaultMaxTokens {@code max_tokens} when the agent gives none (the budget reserves it)
     */
    public record Provider(String name, URI baseUrl, Set<String> models, Optional<String> apiKeySecret,
                           int maxConcurrent, long defaultMaxTokens) {
        public Provider {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(baseUrl, "baseUrl");
            models = Set.copyOf(models);
            Objects.requireNonNull(apiKeySecret, "apiKeySecret");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("provider name is empty");
            }
            String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("provider " + name + ": baseUrl must be an absolute http(s) URL, got "
                        + baseUrl);
            }
            if (baseUrl.getRawUserInfo() != null || baseUrl.getRawQuery() != null) {
                throw new IllegalArgumentException("provider " + name + ": baseUrl must not carry user info or a query"
                        + " (the API key comes from apiKeySecret), got " + baseUrl);
            }
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("provider " + name + ": maxConcurrent must be >= 1, got "
                        + maxConcurrent);
            }
            if (defaultMaxTokens < 1) {
                throw new IllegalArgumentException("provider " + name + ": defaultMaxTokens must be >= 1, got "
                        + defaultMaxTokens);
            }
        }

        /** {@code baseUrl} + {@code /chat/completions}, whatever the base's trailing slash. */
        URI completionsUrl() {
            String base = baseUrl.toString();
            return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions");
        }

        boolean allowsModel(String model) {
            return models.isEmpty() || models.contains(model);
        }
    }

    private final Map<String, Provider> byName;

    public LlmProviders(Collection<Provider> providers) {
        Map<String, Provider> m = new LinkedHashMap<>();
        for (Provider p : providers) {
            if (m.putIfAbsent(p.name(), p) != null) {
                throw new IllegalArgumentException("provider " + p.name() + " is configured twice");
            }
        }
        this.byName = Map.copyOf(m);
    }

    public static LlmProviders none() {
        return new LlmProviders(List.of());
    }

    public Optional<Provider> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<Provider> all() {
        return byName.values();
    }

    /** Names, sorted, for messages. */
    List<String> names() {
        return byName.keySet().stream().sorted().toList();
    }
}
