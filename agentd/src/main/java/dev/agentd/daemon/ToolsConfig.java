package dev.agentd.daemon;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What agentd's configuration says about tools: the LLM providers behind
 * {@code llm_complete}, each agent's token budget, and the external MCP
 * servers whose tools agents may be granted. Only root-owned configuration
 * names these: an agent or the admin API never supplies a URL or an argv.
 *
 * @param llmProviders   providers by name
 * @param llmTokenBudget tokens one agent may use over its life, across providers
 * @param mcpServers     external MCP servers by name
 */
public record ToolsConfig(List<LlmProvider> llmProviders, long llmTokenBudget, List<McpServer> mcpServers) {
    /** No providers, no servers. */
    public static final ToolsConfig NONE = new ToolsConfig(List.of(), 1_000_000, List.of());

    /**
     * One {@code llm_providers} entry.
     *
     * @param apiKeySecret the vault secret holding the API key (set with {@code agentctl secret set}); null for none
     */
    public record LlmProvider(String name, URI baseUrl, List<String> models, String apiKeySecret, int maxConcurrent,
            long defaultMaxTokens) {}

    /**
     * One {@code mcp_servers} entry: an MCP server speaking over stdio, run in
     * its own sandbox.
     *
     * @param command its exact argv (argv[0] absolute)
     * @param env     its environment
     * @param read    host paths it may read (as a manifest's {@code filesystem.read})
     * @param network {@code none} or {@code host}
     */
    public record McpServer(String name, List<String> command, Map<String, String> env, List<String> read, String network) {}

    public ToolsConfig {
        llmProviders = List.copyOf(llmProviders);
        mcpServers = List.copyOf(mcpServers);
    }

    public ToolsConfig withLlmProviders(List<LlmProvider> p) {
        return new ToolsConfig(p, llmTokenBudget, mcpServers);
    }

    public ToolsConfig withMcpServers(List<McpServer> s) {
        return new ToolsConfig(llmProviders, llmTokenBudget, s);
    }

    /** Reads the {@code llm_providers}, {@code llm_token_budget} and {@code mcp_servers} keys of agentd.yaml. */
    static ToolsConfig parse(Map<?, ?> m) {
        List<LlmProvider> providers = new ArrayList<>();
        for (Map<?, ?> p : list(m.get("llm_providers"), "llm_providers")) {
            keys(p, "llm_providers[]", List.of("name", "base_url", "models", "api_key_secret", "max_concurrent", "default_max_tokens"));
            String name = str(p, "name", "llm_providers[].name", true);
            URI url;
            try {
                url = URI.create(str(p, "base_url", "llm_providers." + name + ".base_url", true));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("llm_providers." + name + ".base_url: expected a URL, " + e.getMessage());
            }
            providers.add(new LlmProvider(name, url, strings(p.get("models"), "llm_providers." + name + ".models"),
                    str(p, "api_key_secret", null, false), num(p, "max_concurrent", 4), num(p, "default_max_tokens", 1024)));
        }
        List<McpServer> servers = new ArrayList<>();
        for (Map<?, ?> s : list(m.get("mcp_servers"), "mcp_servers")) {
            keys(s, "mcp_servers[]", List.of("name", "command", "env", "read", "network"));
            String name = str(s, "name", "mcp_servers[].name", true);
            if (!name.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
                throw new IllegalArgumentException("mcp_servers[].name: expected a-z, 0-9, '_' and '-' (its tools appear as NAME.TOOL), got \""
                        + name + "\"");
            }
            List<String> cmd = strings(s.get("command"), "mcp_servers." + name + ".command");
            if (cmd.isEmpty() || !cmd.get(0).startsWith("/")) {
                throw new IllegalArgumentException("mcp_servers." + name + ".command: expected an argv whose first element is an absolute path");
            }
            Map<String, String> env = new LinkedHashMap<>();
            if (s.get("env") instanceof Map<?, ?> e) {
                e.forEach((k, v) -> env.put(String.valueOf(k), String.valueOf(v)));
            }
            String network = s.get("network") == null ? "none" : s.get("network").toString();
            if (!network.equals("none") && !network.equals("host")) {
                throw new IllegalArgumentException("mcp_servers." + name + ".network: expected none or host, got \"" + network + "\"");
            }
            servers.add(new McpServer(name, cmd, env, strings(s.get("read"), "mcp_servers." + name + ".read"), network));
        }
        long budget = m.get("llm_token_budget") == null ? NONE.llmTokenBudget() : ((Number) m.get("llm_token_budget")).longValue();
        return new ToolsConfig(providers, budget, servers);
    }

    private static List<Map<?, ?>> list(Object v, String key) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(key + ": expected a list");
        }
        for (Object o : l) {
            if (!(o instanceof Map<?, ?> mm)) {
                throw new IllegalArgumentException(key + ": expected a list of mappings");
            }
            out.add(mm);
        }
        return out;
    }

    private static void keys(Map<?, ?> m, String where, List<String> allowed) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(where + ": unknown key \"" + k + "\"; expected one of " + allowed);
            }
        }
    }

    private static String str(Map<?, ?> m, String k, String where, boolean required) {
        Object v = m.get(k);
        if (v == null) {
            if (required) {
                throw new IllegalArgumentException(where + ": required");
            }
            return null;
        }
        return v.toString();
    }

    private static int num(Map<?, ?> m, String k, int def) {
        Object v = m.get(k);
        return v instanceof Number n ? n.intValue() : def;
    }

    private static List<String> strings(Object v, String where) {
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (!(v instanceof List<?> l)) {
            throw new IllegalArgumentException(where + ": expected a list of strings");
        }
        l.forEach(x -> out.add(String.valueOf(x)));
        return out;
    }
}
