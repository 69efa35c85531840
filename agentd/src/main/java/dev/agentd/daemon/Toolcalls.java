package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.ApprovalOutcome;
import dev.agentd.broker.ApprovalRequest;
import dev.agentd.manifest.Grant;
import dev.agentd.manifest.Manifest;
import dev.agentd.toolcall.ApprovalGate;
import dev.agentd.toolcall.Authorizer;
import dev.agentd.toolcall.CallRecord;
import dev.agentd.toolcall.Gateway;
import dev.agentd.toolcall.GatewayConfig;
import dev.agentd.toolcall.GatewayLimits;
import dev.agentd.toolcall.PeerCredentials;
import dev.agentd.toolcall.PeerCredentialsReader;
import dev.agentd.toolcall.Tool;
import dev.agentd.toolcall.ToolRegistry;
import dev.agentd.toolcall.tools.BuiltinTools;
import dev.agentd.toolcall.tools.LlmProviders;
import dev.agentd.linux.SocketPeer;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntPredicate;

/**
 * Every running agent's toolcall() socket: one {@link Gateway} per agent, on
 * {@code <run>/agents/<id>/toolcall.sock}, which the sandbox sees at
 * {@link #SANDBOX_SOCKET}. Calls are checked by the broker, approved where the
 * manifest asks, and audited before their result reaches the agent.
 */
final class Toolcalls implements AutoCloseable {
    /** Where an agent finds its socket. */
    static final Path SANDBOX_SOCKET = Path.of("/run/agentd/toolcall.sock");
    /** How long an approval request stays open. */
    static final Duration APPROVAL_TTL = Duration.ofMinutes(10);

    private final DaemonConfig cfg;
    private final Capabilities caps;
    private final Audit audit;
    private ToolRegistry tools;
    private final Map<String, Gateway> gateways = new ConcurrentHashMap<>();
    /**
     * Tool calls handled per agent since this agentd started (allowed or not),
     * for agent.list's {@code toolcalls} and so {@code agentctl top}'s rate.
     * Kept across an agent's restarts; one small counter per agent id.
     */
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private volatile java.util.function.Predicate<String> hiddenTool = t -> false;
    private volatile GatewayLimits limits = GatewayLimits.defaults();
    private dev.agentd.toolcall.Acceptor acceptor;

    Toolcalls(DaemonConfig cfg, Capabilities caps, Audit audit) {
        this.cfg = cfg;
        this.caps = caps;
        this.audit = audit;
    }

    /** The tools every gateway serves (an agent sees those it holds a {@code tool:} grant for). */
    void tools(List<Tool> agentTools, Store store) {
        ToolsConfig tc = cfg.tools();
        List<LlmProviders.Provider> providers = new ArrayList<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (ToolsConfig.LlmProvider p : tc.llmProviders()) {
            providers.add(new LlmProviders.Provider(p.name(), p.baseUrl(), java.util.Set.copyOf(p.models()),
                    java.util.Optional.ofNullable(p.apiKeySecret()), p.maxConcurrent(), p.defaultMaxTokens()));
            if (p.apiKeySecret() != null) {
                keys.add(p.apiKeySecret());
            }
        }
        List<Tool> all = new ArrayList<>();
        for (Tool t : BuiltinTools.all(new LlmProviders(providers), new LlmBudget(store, tc.llmTokenBudget()))) {
            all.add(t.name().equals("llm_complete") ? new DaemonKeys(t, keys, caps) : t);
        }
        all.addAll(agentTools);
        this.tools = ToolRegistry.of(all);
    }

    /**
     * A provider's API key comes from root-owned configuration: the LLM tool
     * reads it from the vault as agentd, not through the agent's own
     * {@code secret:} grants (which would also let it put the key in an HTTP
     * header). The agent needs {@code llm: PROVIDER} only.
     */
    static final class DaemonKeys implements Tool {
        private final Tool delegate;
        private final java.util.Set<String> keys;
        private final Capabilities caps;

        DaemonKeys(Tool delegate, java.util.Set<String> keys, Capabilities caps) {
            this.delegate = delegate;
            this.keys = keys;
            this.caps = caps;
        }

        @Override public String name() { return delegate.name(); }
        @Override public String description() { return delegate.description(); }
        @Override public JsonNode inputSchema() { return delegate.inputSchema(); }
        @Override public java.util.Optional<JsonNode> outputSchema() { return delegate.outputSchema(); }

        @Override
        public dev.agentd.toolcall.ToolResult call(dev.agentd.toolcall.ToolCall call) throws dev.agentd.toolcall.ToolException {
            dev.agentd.toolcall.ToolContext ctx = call.context();
            dev.agentd.toolcall.ToolContext wrapped = new dev.agentd.toolcall.ToolContext() {
                @Override
                public dev.agentd.broker.Decision authorize(dev.agentd.broker.GrantKind kind, String value) {
                    return ctx.authorize(kind, value);
                }

                @Override
                public List<dev.agentd.broker.Grant> grants(dev.agentd.broker.GrantKind kind) {
                    return ctx.grants(kind);
                }

                @Override
                public java.util.Optional<byte[]> revealSecret(String name) {
                    return keys.contains(name) ? caps.vault().revealForDaemon(call.agentId(), name) : ctx.revealSecret(name);
                }
            };
            return delegate.call(new dev.agentd.toolcall.ToolCall(call.agentId(), call.arguments(), call.cancel(),
                    call.deadline(), wrapped));
        }
    }

    /**
     * Limits for gateways opened from now on, but for the agent's rate: that is the manifest's
     * {@code limits}, else agentd.yaml's {@code toolcalls_per_second} and {@code toolcall_burst}.
     */
    void limits(GatewayLimits l) {
        this.limits = l;
    }

    /** Tools not to list for now (an external server in quarantine). */
    void hide(java.util.function.Predicate<String> hidden) {
        this.hiddenTool = hidden;
    }

    ToolRegistry registry() {
        return tools;
    }

    Path hostSocket(String agentId) {
        return cfg.toolcallDir(agentId).resolve("toolcall.sock");
    }

    /**
     * Opens the agent's socket before its sandbox is built (the sandbox binds
     * it in). A connection is accepted only from the agent's uid and from a
     * process inside the agent's cgroup.
     */
    void open(String agentId, int uid, Manifest m, IntPredicate pidInCgroup) throws IOException {
        close(agentId);
        Path dir = cfg.toolcallDir(agentId);
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        installClient(dir);
        GatewayConfig gc = GatewayConfig.builder(agentId, hostSocket(agentId), uid)
                .peerCredentials(PEER_READER)
                .peerPidInAgentCgroup(pidInCgroup)
                .limits(limits.toBuilder().agentRate(cfg.toolcallRate().forAgent(m.limits()).asRate()).build())
                .redactor(s -> caps.vault().scrubber().scrub(s))
                .build();
        Authorizer auth = new AgentAuthorizer(agentId,
                Authorizer.forAgent(agentId, caps.broker(), caps.vault(), approvals(agentId, m)), true);
        gateways.put(agentId, Gateway.open(gc, tools, auth, new dev.agentd.toolcall.CallListener() {
            @Override
            public void onCall(CallRecord r) {
                record(r);
            }

            @Override
            public void onConnectionRefused(String id, String reason) {
                audit.record(null, id, "toolcall.refused", Map.of("reason", reason));
            }
        }, acceptor()));
    }

    /** The Python client (and stdio bridge) beside the socket: {@code /run/agentd/agentd_toolcall.py} inside. */
    private static void installClient(Path dir) throws IOException {
        try (java.io.InputStream in = Toolcalls.class.getResourceAsStream("/dev/agentd/toolcall/python/agentd_toolcall.py")) {
            if (in == null) {
                return;
            }
            Path f = dir.resolve("agentd_toolcall.py");
            Files.write(f, in.readAllBytes());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Tool calls agent {@code agentId} made since this agentd started. */
    long calls(String agentId) {
        LongAdder n = calls.get(agentId);
        return n == null ? 0 : n.sum();
    }

    /** The agent's gateway, if it has one. */
    java.util.Optional<Gateway> gateway(String agentId) {
        return java.util.Optional.ofNullable(gateways.get(agentId));
    }

    void close(String agentId) {
        // Its count goes with its gateway: an ended agent takes no calls, and a
        // host that runs through many agents must not keep one counter each.
        calls.remove(agentId);
        Gateway g = gateways.remove(agentId);
        if (g != null) {
            g.close();
        }
    }

    /**
     * The host path of a path in an agent's sandbox: its {@code /workspace} is
     * agentd's directory for it; every other granted path is bound at its own place.
     */
    Path hostPath(String agentId, Path sandboxPath) {
        if (sandboxPath.startsWith(SandboxPlanner.WORKSPACE)) {
            return cfg.agentDir(agentId).resolve("workspace").resolve(SandboxPlanner.WORKSPACE.relativize(sandboxPath).toString());
        }
        return sandboxPath;
    }

    /** The tools an agent holds a grant for (what its tools/list shows). */
    List<Tool> visibleTools(String agentId) {
        List<Tool> out = new ArrayList<>();
        for (Tool t : tools.tools()) {
            if (!hiddenTool.test(t.name())
                    && caps.broker().check(agentId, dev.agentd.broker.GrantKind.TOOL, t.name()).isAllowed()) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Runs a tool for an agent on an admin's request ({@code agentctl tool
     * call}): the agent's grants apply and are counted; the admin is the
     * approver, so no approval is asked; audited with the admin as actor.
     */
    dev.agentd.toolcall.ToolResult callAsAdmin(String agentId, String name, JsonNode args, int actor) throws AgentdException {
        if (tools.get(name).isEmpty() || hiddenTool.test(name)) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "Unknown tool: " + name);
        }
        List<String> problems = tools.validateArguments(name, args);
        if (!problems.isEmpty()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "invalid arguments for " + name + ": "
                    + String.join("; ", problems));
        }
        long t0 = System.nanoTime();
        dev.agentd.broker.Decision d = caps.broker().authorize(agentId, dev.agentd.broker.GrantKind.TOOL, name);
        String sha = dev.agentd.toolcall.CanonicalJson.sha256Hex(args);
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("tool", name);
        rec.put("args_sha256", sha);
        rec.put("via", "admin");
        dev.agentd.toolcall.ToolResult result;
        if (!d.isAllowed()) {
            result = dev.agentd.toolcall.ToolResult.error("denied: " + ((dev.agentd.broker.Decision.Denied) d).reason());
            rec.put("decision", "denied: " + ((dev.agentd.broker.Decision.Denied) d).reason());
        } else {
            Authorizer auth = new AgentAuthorizer(agentId,
                    Authorizer.forAgent(agentId, caps.broker(), caps.vault(), ApprovalGate.NONE), false);
            rec.put("grant", ((dev.agentd.broker.Decision.Allowed) d).grant().id());
            String decision = "allowed";
            try {
                result = tools.get(name).get().call(new dev.agentd.toolcall.ToolCall(agentId, args,
                        new dev.agentd.toolcall.CancellationToken(), java.time.Instant.now().plusSeconds(60), auth));
            } catch (dev.agentd.toolcall.ToolRefusedException e) {
                result = dev.agentd.toolcall.ToolResult.error(caps.vault().scrubber().scrub(e.getMessage()));
                decision = "refused";
                rec.put("reason", caps.vault().scrubber().scrub(e.getMessage()));
            } catch (dev.agentd.toolcall.ToolException e) {
                result = dev.agentd.toolcall.ToolResult.error(caps.vault().scrubber().scrub(e.getMessage()));
            } catch (RuntimeException e) {
                result = dev.agentd.toolcall.ToolResult.error("tool failed: " + e);
            }
            rec.put("decision", decision);
        }
        rec.put("duration_us", (System.nanoTime() - t0) / 1000);
        rec.put("is_error", result.isError());
        audit.record(actor, agentId, "toolcall", rec);
        return result;
    }

    /** Tells every agent's clients their tool list may have changed. */
    void grantsChanged() {
        gateways.values().forEach(Gateway::sendListChanged);
    }

    /** Audited before the agent gets the result: a kill -9 after it read the answer cannot lose the record. */
    private void record(CallRecord r) {
        calls.computeIfAbsent(r.agentId(), id -> new LongAdder()).increment();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("tool", r.tool());
        d.put("args_sha256", r.argsSha256());
        d.put("args_preview", r.argsPreview());
        d.put("decision", r.decision());
        // The broker's authorization of the call is this record's (one record a call):
        // the grant it was allowed under, whose invocation it consumed.
        r.grantId().ifPresent(g -> d.put("grant", g));
        d.put("duration_us", r.durationMicros());
        d.put("result_bytes", r.resultBytes());
        // A refused call did nothing: its record gives the reason, not an error of something done.
        r.error().ifPresent(e -> d.put(r.decision().equals("refused") ? "reason" : "error", caps.vault().scrubber().scrub(e)));
        try {
            d.put("on_behalf_of", caps.broker().chain(r.agentId()).stream().map(Object::toString).toList());
        } catch (RuntimeException e) {
            // an agent already forgotten: the call record still stands
        }
        // Throws when the record cannot be written: the gateway then answers an
        // internal error instead of a result nobody could ever audit.
        audit.recordOrFail(null, r.agentId(), "toolcall", d);
    }

    /** {@code approval_required}: tool names, or grants naming what a call touches. */
    private ApprovalGate approvals(String agentId, Manifest m) {
        List<Grant> rules = m.approvalRequired();
        if (rules.isEmpty()) {
            return ApprovalGate.NONE;
        }
        return new ApprovalGate() {
            @Override
            public boolean required(String tool, JsonNode args) {
                for (Grant g : rules) {
                    if (ApprovalRules.matches(g, tool, args)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public boolean awaitApproval(String tool, String argsSha256, String preview, Duration timeout) {
                ApprovalRequest req = caps.broker().requestApproval(agentId, tool, argsSha256, preview, APPROVAL_TTL);
                try {
                    ApprovalOutcome o = caps.broker().await(req.id(), timeout);
                    return o == ApprovalOutcome.APPROVED && caps.broker().consumeApproval(req.id(), agentId, tool, argsSha256);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        };
    }

    /**
     * One agent's authorizer as agentd refines the broker's: its {@code /workspace}
     * is mapped to the host, and (for a gateway) tools of a quarantined server
     * are hidden while an expired or used-up grant keeps its tool known.
     */
    private final class AgentAuthorizer implements Authorizer {
        private final String agentId;
        private final Authorizer granted;
        private final boolean listing;

        AgentAuthorizer(String agentId, Authorizer granted, boolean listing) {
            this.agentId = agentId;
            this.granted = granted;
            this.listing = listing;
        }

        @Override
        public dev.agentd.broker.Decision check(dev.agentd.broker.GrantKind kind, String value) {
            if (!listing) {
                return granted.check(kind, value);
            }
            if (kind == dev.agentd.broker.GrantKind.TOOL && hiddenTool.test(value)) {
                return dev.agentd.broker.Decision.denied("tool " + value + " is unavailable (its server is quarantined or stopped)");
            }
            dev.agentd.broker.Decision d = granted.check(kind, value);
            if (!d.isAllowed() && kind == dev.agentd.broker.GrantKind.TOOL) {
                // An expired or used-up grant still names the tool: keep it
                // known, so a call is refused with the reason ("exhausted: 5 of
                // 5 invocations used") rather than "Unknown tool". A revoked
                // grant makes the tool unknown: it was taken away.
                for (dev.agentd.broker.GrantStatus s : caps.broker().grants(agentId)) {
                    if (s.grant().kind() == kind && s.grant().value().equals(value)
                            && (s.state() == dev.agentd.broker.GrantStatus.State.EXHAUSTED
                                    || s.state() == dev.agentd.broker.GrantStatus.State.EXPIRED)) {
                        return dev.agentd.broker.Decision.allowed(s.grant());
                    }
                }
            }
            return d;
        }

        @Override
        public dev.agentd.broker.Decision authorize(dev.agentd.broker.GrantKind kind, String value) {
            return granted.authorize(kind, value);
        }

        @Override
        public List<dev.agentd.broker.Grant> grants(dev.agentd.broker.GrantKind kind) {
            return granted.grants(kind);
        }

        @Override
        public java.util.Optional<byte[]> revealSecret(String name) {
            return granted.revealSecret(name);
        }

        @Override
        public ApprovalGate approvals() {
            return granted.approvals();
        }

        @Override
        public Path hostPath(Path sandboxPath) {
            return Toolcalls.this.hostPath(agentId, sandboxPath);
        }
    }

    /** SO_PEERCRED with the pid, from the channel's descriptor (see {@link SocketPeer}). */
    static final PeerCredentialsReader PEER_READER = new PeerCredentialsReader() {
        @Override
        public PeerCredentials read(SocketChannel channel) throws IOException {
            SocketPeer.Credentials c = SocketPeer.of(channel);
            return new PeerCredentials(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Integer.toString(c.uid())), OptionalInt.of(c.pid()));
        }

        @Override
        public boolean reportsPid() {
            return SocketPeer.isAvailable();
        }

        @Override
        public String toString() {
            return "SO_PEERCRED via the channel's descriptor";
        }
    };

    @Override
    public void close() {
        new ArrayList<>(gateways.keySet()).forEach(this::close);
        synchronized (this) {
            if (acceptor != null) {
                acceptor.close();
                acceptor = null;
            }
        }
    }

    /** One accepting thread for every agent's socket, started with the first. */
    private synchronized dev.agentd.toolcall.Acceptor acceptor() throws IOException {
        if (acceptor == null) {
            acceptor = dev.agentd.toolcall.Acceptor.start();
        }
        return acceptor;
    }
}
