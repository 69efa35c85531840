package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.linux.Pipe;
import dev.agentd.spawner.BindMount;
import dev.agentd.spawner.PathAccess;
import dev.agentd.spawner.SandboxHandle;
import dev.agentd.spawner.SandboxSpec;
import dev.agentd.spawner.Spawner;
import dev.agentd.toolcall.CanonicalJson;
import dev.agentd.toolcall.Tool;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * External MCP servers from agentd's configuration. Each runs in its own
 * sandbox (the same spawner as agents: its own uid, namespaces, Landlock,
 * seccomp, cgroup) and speaks MCP over its stdin and stdout. Its tools are
 * offered to agents as {@code SERVER.TOOL} (granted like any tool).
 *
 * <p>Each tool definition is pinned by its hash the first time agentd sees
 * it. If a server later presents a changed definition (a "rug pull": the
 * description an LLM reads, or the schema, changed under the agents), the
 * whole server is quarantined — its tools refuse every call — until an admin
 * re-approves it ({@code mcp.approve}).
 */
final class McpServers implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final DaemonConfig cfg;
    private final Store store;
    private final Audit audit;
    private final Map<String, Server> servers = new LinkedHashMap<>();

    McpServers(DaemonConfig cfg, Store store, Audit audit) {
        this.cfg = cfg;
        this.store = store;
        this.audit = audit;
    }

    /** One running server and what agentd knows of it. */
    final class Server {
        final ToolsConfig.McpServer config;
        volatile String state = "starting";
        volatile String problem;
        volatile List<JsonNode> definitions = List.of();
        SandboxHandle handle;
        Cgroup cgroup;
        OutputStream in;
        final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong();

        Server(ToolsConfig.McpServer config) {
            this.config = config;
        }

        JsonNode request(String method, JsonNode params, Duration timeout) throws IOException {
            long id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            ObjectNode req = JSON.createObjectNode();
            req.put("jsonrpc", "2.0");
            req.put("id", id);
            req.put("method", method);
            req.set("params", params);
            synchronized (this) {
                in.write((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            try {
                return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("MCP server " + config.name() + " did not answer " + method + " within " + timeout.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause().getMessage(), e.getCause());
            } finally {
                pending.remove(id);
            }
        }

        void notify(String method) throws IOException {
            ObjectNode n = JSON.createObjectNode();
            n.put("jsonrpc", "2.0");
            n.put("method", method);
            synchronized (this) {
                in.write((JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
        }
    }

    /** Starts every configured server; one that fails is reported and left out. */
    void startAll(Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp) {
        int i = 0;
        for (ToolsConfig.McpServer c : cfg.tools().mcpServers()) {
            Server s = new Server(c);
            servers.put(c.name(), s);
            try {
                start(s, spawner, cgroups, seccomp, cfg.uidMax() - i);
                refresh(s);
            } catch (IOException | RuntimeException e) {
                s.state = "failed";
                s.problem = e.getMessage();
                audit.record(null, null, "mcp.failed", Map.of("server", c.name(), "reason", String.valueOf(e.getMessage())));
            }
            i++;
        }
    }

    /**
     * Sandboxes the server: the system directories, the paths its
     * configuration lets it read, a private /tmp; a uid of its own from the top
     * of agentd's range; stdio through pipes.
     */
    private void start(Server s, Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp, int uid) throws IOException {
        ToolsConfig.McpServer c = s.config;
        Path dir = cfg.stateDir().resolve("mcp").resolve(c.name());
        Path root = dir.resolve("root");
        Files.createDirectories(root);
        // A server left by an agentd that was killed: found where it was made (an
        // agentd restarted in another cgroup computes other v1 paths), stopped, removed.
        Cgroup stale = CgroupRecord.open(cgroups, dir, "mcp-" + c.name());
        if (stale != null) {
            try {
                stale.killAll(Duration.ofSeconds(5));
                stale.remove();
            } catch (CgroupException | RuntimeException e) {
                throw new IOException("the server left by an earlier agentd in " + stale.directories()
                        + " could not be stopped: " + e.getMessage(), e);
            }
        }
        s.cgroup = cgroups.create("mcp-" + c.name(), CgroupLimits.builder().pidsMax(cfg.defaultPids()).build(), LimitMode.STRICT);
        CgroupRecord.write(dir, s.cgroup);
        Pipe toServer = Pipe.open();
        Pipe fromServer = Pipe.open();
        SandboxSpec.Builder b = SandboxSpec.builder().name("mcp-" + c.name()).uid(uid).command(c.command()).env(c.env())
                .workdir(Path.of("/tmp")).stagingDir(root).logFile(dir.resolve("stderr.log")).cgroup(s.cgroup)
                .network("host".equals(c.network()) ? SandboxSpec.Network.HOST : SandboxSpec.Network.NONE)
                .seccompFilter(seccomp.compile(dev.agentd.manifest.SeccompChoice.DEFAULT))
                .init(List.of(cfg.init().toString(), "-P"))
                .rlimit(SandboxSpec.Rlimit.CORE, 0)
                .stdio(toServer.readEnd(), fromServer.writeEnd());
        for (Path p : SandboxPlanner.SYSTEM) {
            if (Files.exists(p)) {
                b.mount(BindMount.readOnly(p));
                if (!Files.isSymbolicLink(p)) {
                    b.access(p, PathAccess.Kind.EXECUTE);
                }
            }
        }
        for (String r : c.read()) {
            Path p = Path.of(r.endsWith("/**") ? r.substring(0, r.length() - 3) : r);
            b.mount(BindMount.readOnly(p));
            b.access(p, PathAccess.Kind.EXECUTE);
        }
        s.handle = spawner.spawn(b.build());
        toServer.readEnd().close();
        fromServer.writeEnd().close();
        s.in = Pipe.outputStream(toServer.writeEnd());
        Thread reader = new Thread(() -> readLoop(s, Pipe.inputStream(fromServer.readEnd())), "agentd-mcp-" + c.name());
        reader.setDaemon(true);
        reader.start();
        ObjectNode init = JSON.createObjectNode();
        init.put("protocolVersion", "2025-06-18");
        init.putObject("capabilities");
        init.putObject("clientInfo").put("name", "agentd").put("version", Version.VERSION);
        s.request("initialize", init, START_TIMEOUT);
        s.notify("notifications/initialized");
        audit.record(null, null, "mcp.start", Map.of("server", c.name(), "pid", s.handle.pid(), "uid", uid));
    }

    private void readLoop(Server s, java.io.InputStream out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode m;
                try {
                    m = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // not a message: servers log to stderr, but be lenient
                }
                if (m.has("id") && (m.has("result") || m.has("error"))) {
                    CompletableFuture<JsonNode> f = s.pending.get(m.get("id").asLong());
                    if (f != null) {
                        if (m.has("error")) {
                            f.completeExceptionally(new IOException("MCP server " + s.config.name() + ": "
                                    + m.get("error").path("message").asText()));
                        } else {
                            f.complete(m.get("result"));
                        }
                    }
                } else if ("notifications/tools/list_changed".equals(m.path("method").asText())) {
                    Thread t = new Thread(() -> {
                        try {
                            refresh(s);
                        } catch (IOException e) {
                            s.problem = e.getMessage();
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                }
            }
        } catch (IOException e) {
            // the server ended
        }
        s.state = "stopped";
        s.pending.values().forEach(f -> f.completeExceptionally(new IOException("MCP server " + s.config.name() + " ended")));
    }

    /** Lists the server's tools and checks each against its pinned hash. */
    void refresh(Server s) throws IOException {
        JsonNode r = s.request("tools/list", JSON.createObjectNode(), START_TIMEOUT);
        List<JsonNode> defs = new ArrayList<>();
        r.path("tools").forEach(defs::add);
        List<String> changed = new ArrayList<>();
        for (JsonNode d : defs) {
            String tool = d.path("name").asText();
            String hash = CanonicalJson.sha256Hex(d);
            Optional<String> pinned = store.mcpPin(s.config.name(), tool);
            if (pinned.isEmpty()) {
                store.setMcpPin(s.config.name(), tool, hash);
                audit.record(null, null, "mcp.pinned", Map.of("server", s.config.name(), "tool", tool, "sha256", hash));
            } else if (!pinned.get().equals(hash)) {
                changed.add(tool);
            }
        }
        s.definitions = defs;
        if (!changed.isEmpty()) {
            store.setMcpQuarantined(s.config.name(), true);
            audit.record(null, null, "mcp.quarantined", Map.of("server", s.config.name(), "changed_tools", changed));
        }
        s.state = store.mcpQuarantined(s.config.name()) ? "quarantined" : "running";
    }

    /** An admin accepts the server's current definitions: re-pin them and lift the quarantine. */
    ObjectNode approve(String name, int actor) throws AgentdException, IOException {
        Server s = servers.get(name);
        if (s == null) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "no MCP server named \"" + name + "\" in agentd's configuration");
        }
        for (JsonNode d : s.definitions) {
            store.setMcpPin(name, d.path("name").asText(), CanonicalJson.sha256Hex(d));
        }
        store.setMcpQuarantined(name, false);
        if (!"stopped".equals(s.state) && !"failed".equals(s.state)) {
            s.state = "running";
        }
        audit.record(actor, null, "mcp.approved", Map.of("server", name, "tools", s.definitions.size()));
        return describe(s);
    }

    ObjectNode describe(Server s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("name", s.config.name());
        o.put("state", s.state);
        o.put("problem", s.problem);
        var tools = o.putArray("tools");
        s.definitions.forEach(d -> tools.add(s.config.name() + "." + d.path("name").asText()));
        return o;
    }

    List<ObjectNode> list() {
        List<ObjectNode> out = new ArrayList<>();
        servers.values().forEach(s -> out.add(describe(s)));
        return out;
    }

    /**
     * Whether {@code tool} belongs to a server that is not usable now: such a
     * tool is left out of {@code tools/list} — a quarantined server's changed
     * description must not reach an agent's model.
     */
    boolean hidden(String tool) {
        int dot = tool.indexOf('.');
        if (dot < 0) {
            return false;
        }
        Server s = servers.get(tool.substring(0, dot));
        return s != null && !"running".equals(s.state);
    }

    /** Proxies for every tool of every server, named {@code SERVER.TOOL}. */
    List<Tool> tools() {
        List<Tool> out = new ArrayList<>();
        for (Server s : servers.values()) {
            for (JsonNode d : s.definitions) {
                out.add(new Proxy(s, d));
            }
        }
        return out;
    }

    /** One external tool, forwarded to its server. */
    static final class Proxy implements Tool {
        private final Server server;
        private final JsonNode definition;
        private final String tool;

        Proxy(Server server, JsonNode definition) {
            this.server = server;
            this.definition = definition;
            this.tool = definition.path("name").asText();
        }

        @Override
        public String name() {
            return server.config.name() + "." + tool;
        }

        @Override
        public String description() {
            return definition.path("description").asText("") + " (external MCP server " + server.config.name() + ")";
        }

        @Override
        public JsonNode inputSchema() {
            return definition.has("inputSchema") ? definition.get("inputSchema") : JSON.createObjectNode().put("type", "object");
        }

        @Override
        public ToolResult call(ToolCall call) throws ToolException {
            if ("quarantined".equals(server.state)) {
                throw new ToolException("MCP server " + server.config.name() + " is quarantined: a tool definition changed"
                        + " since it was pinned; an admin must review and re-approve it (agentctl mcp approve "
                        + server.config.name() + ")");
            }
            if (!"running".equals(server.state)) {
                throw new ToolException("MCP server " + server.config.name() + " is not running (" + server.state + ")");
            }
            ObjectNode p = JSON.createObjectNode();
            p.put("name", tool);
            p.set("arguments", call.arguments());
            Duration left = Duration.between(Instant.now(), call.deadline());
            try {
                JsonNode r = server.request("tools/call", p, left.isNegative() ? Duration.ofMillis(1) : left);
                List<JsonNode> content = new ArrayList<>();
                r.path("content").forEach(content::add);
                return new ToolResult(content, Optional.ofNullable(r.get("structuredContent")), r.path("isError").asBoolean(false));
            } catch (IOException e) {
                throw new ToolException(e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        for (Server s : servers.values()) {
            if (s.cgroup != null) {
                try {
                    s.cgroup.killAll(Duration.ofSeconds(5));
                    if (s.handle != null) {
                        s.handle.waitFor();
                        s.handle.reapInit();
                    }
                    s.cgroup.remove();
                } catch (IOException e) {
                    System.err.println("agentd: could not stop MCP server " + s.config.name() + ": " + e.getMessage());
                }
            }
        }
    }
}
