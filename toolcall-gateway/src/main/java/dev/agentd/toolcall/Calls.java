package dev.agentd.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.agentd.broker.Decision;
import dev.agentd.broker.Grant;
import dev.agentd.broker.GrantKind;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The {@code tools/call} pipeline of one gateway, in the order the checks happen:
 * <ol>
 *   <li>unknown or ungranted tool → JSON-RPC -32602 (the agent must not learn which tools exist
 *       beyond its grants; see {@link #holdsTool});</li>
 *   <li>arguments invalid against the input schema → -32602 with the messages;</li>
 *   <li>agent and tool rate buckets, then the concurrency cap → {@code isError} results (the model
 *       should see them and back off);</li>
 *   <li>on a call thread: approval when required, then {@code authorize(TOOL, name)}, which consumes
 *       an invocation only now that nothing else can refuse the call;</li>
 *   <li>the tool, under a deadline, cancellable;</li>
 *   <li>output checks (schema, size), redaction, the audit record, and only then the answer.</li>
 * </ol>
 * Exactly one of {tool result, timeout, client cancellation, connection loss} ends a call:
 * whichever {@linkplain InFlight#claim() claims} it first.
 */
final class Calls {
    private static final System.Logger LOG = System.getLogger(Calls.class.getName());
    private static final int MAX_RECORDED_TEXT = 1000;

    /** One call between its acceptance and its answer. */
    static final class InFlight {
        final Connection conn;
        final JsonNode id;
        final String key;
        final String tool;
        final JsonNode arguments;
        final String argsSha256;
        final String argsPreview;
        final long startNanos;
        final CancellationToken token = new CancellationToken();
        private final AtomicBoolean claimed = new AtomicBoolean();
        volatile Future<?> task;
        volatile ScheduledFuture<?> timeout;
        volatile String decision = "pending";
        /** The grant the broker allowed the call under, once it did. */
        volatile OptionalLong grant = OptionalLong.empty();

        InFlight(Connection conn, JsonNode id, String tool, JsonNode arguments, String argsSha256, String argsPreview,
                 long startNanos) {
            this.conn = conn;
            this.id = id;
            this.key = McpMessage.idKey(id);
            this.tool = tool;
            this.arguments = arguments;
            this.argsSha256 = argsSha256;
            this.argsPreview = argsPreview;
            this.startNanos = startNanos;
        }

        /** True for the one path that gets to end this call. */
        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        boolean isClaimed() {
            return claimed.get();
        }

        /** Stops the tool: its token (cooperative) and its thread's interrupt (blocking I/O, sleeps). */
        void stop() {
            token.cancel();
            Future<?> t = task;
            if (t != null) {
                t.cancel(true);
            }
        }
    }

    private final Gateway gw;
    private final String agentId;
    private final ToolRegistry registry;
    private final Authorizer auth;
    private final CallListener listener;
    private final GatewayLimits limits;
    private final Function<String, String> redactor;
    private final Semaphore permits;
    private final Optional<TokenBucket> agentBucket;
    private final Map<String, Optional<TokenBucket>> toolBuckets = new ConcurrentHashMap<>();
    private final ExecutorService pool;
    private final ScheduledExecutorService timer;
    private final ToolContext toolContext;

    Calls(Gateway gw, ToolRegistry registry, Authorizer auth, CallListener listener, ExecutorService pool,
          ScheduledExecutorService timer) {
        this.gw = gw;
        this.agentId = gw.agentId();
        this.registry = registry;
        this.auth = auth;
        this.listener = listener;
        this.limits = gw.limits();
        this.redactor = gw.config().redactor();
        this.permits = new Semaphore(limits.maxConcurrentCalls());
        this.agentBucket = limits.agentRate().map(TokenBucket::new);
        this.pool = pool;
        this.timer = timer;
        // Tools get the three questions they may ask, not the Authorizer itself
        // (whose check() and approvals() are the gateway's business).
        this.toolContext = new ToolContext() {
            @Override
            public Decision authorize(GrantKind kind, String value) {
                return auth.authorize(kind, value);
            }

            @Override
            public List<Grant> grants(GrantKind kind) {
                return auth.grants(kind);
            }

            @Override
            public Optional<byte[]> revealSecret(String name) {
                return auth.revealSecret(name);
            }

            @Override
            public java.nio.file.Path hostPath(java.nio.file.Path sandboxPath) {
                return auth.hostPath(sandboxPath);
            }
        };
    }

    int inFlightCount() {
        return limits.maxConcurrentCalls() - permits.availablePermits();
    }

    /** Steps 1–3 on the connection's reader thread; the rest on a call thread (or there too, for a non-blocking tool). */
    void start(Connection c, McpMessage.CallTool req, long t0) {
        JsonNode id = req.id();
        if (c.inFlight.containsKey(McpMessage.idKey(id))) {
            // Cancellation and answers are matched by id; two live calls with one id would be ambiguous.
            gw.sendError(c, id, McpMessage.INVALID_REQUEST, "Invalid Request: id " + clip(id.toString(), 100)
                    + " is already used by a call in progress", null);
            return;
        }
        String name = req.name();
        String recordedName = clip(name, ArgsPreview.MAX_CHARS);
        String sha = CanonicalJson.sha256Hex(req.arguments());
        String preview = ArgsPreview.of(req.arguments(), redactor);

        ToolRegistry.Entry entry = registry.entry(name);
        if (entry == null || !holdsTool(auth, name)) {
            CallRecord r = record(recordedName, sha, preview, "unknown tool", t0, 0, "unknown tool");
            sendErrorAfterRecord(c, id, r, McpMessage.INVALID_PARAMS, "Unknown tool: " + recordedName, null);
            return;
        }
        List<String> problems = Schemas.validate(entry.input(), req.arguments());
        if (!problems.isEmpty()) {
            ObjectNode data = JsonNodeFactory.instance.objectNode();
            ArrayNode errors = data.putArray("errors");
            problems.forEach(errors::add);
            CallRecord r = record(name, sha, preview, "invalid", t0, 0, "invalid arguments: " + String.join("; ", problems));
            sendErrorAfterRecord(c, id, r, McpMessage.INVALID_PARAMS, "Invalid arguments for tool " + name, data);
            return;
        }
        if (agentBucket.isPresent() && !agentBucket.get().tryAcquire()) {
            answerAtOnce(c, id, entry, name, sha, preview, t0, "rate limited",
                    "rate limit exceeded: at most " + agentBucket.get().rate() + " calls for this agent");
            return;
        }
        Optional<TokenBucket> toolBucket = toolBuckets.computeIfAbsent(name, n -> limits.rateFor(n).map(TokenBucket::new));
        if (toolBucket.isPresent() && !toolBucket.get().tryAcquire()) {
            answerAtOnce(c, id, entry, name, sha, preview, t0, "rate limited",
                    "rate limit exceeded: at most " + toolBucket.get().rate() + " calls of " + name);
            return;
        }
        if (!permits.tryAcquire()) {
            // Refused rather than queued: a queue would only hide the overload and let
            // deadlines expire while waiting.
            answerAtOnce(c, id, entry, name, sha, preview, t0, "busy",
                    "too many concurrent calls (at most " + limits.maxConcurrentCalls() + " per agent)");
            return;
        }
        InFlight f = new InFlight(c, id, name, req.arguments(), sha, preview, t0);
        c.inFlight.put(f.key, f);
        if (entry.tool().nonBlocking() && !auth.approvals().required(name, req.arguments())) {
            // On this reader thread (see Tool#nonBlocking): nothing in it waits.
            run(f, entry, false);
            return;
        }
        try {
            f.task = pool.submit(() -> run(f, entry, true));
        } catch (RejectedExecutionException e) {
            // The gateway is closing; the connection's close will not find this call, so end it here.
            permits.release();
            c.inFlight.remove(f.key, f);
        }
    }

    /**
     * Whether the agent holds a live grant for the tool. {@code check} first (it is the
     * answer in the common case); a {@code check} denial can also mean "over its rate right
     * now", and a tool whose grant is merely rate-limited is still the agent's — it stays
     * in {@code tools/list} and a call gets {@code authorize}'s "denied: rate ... exceeded"
     * as a result the model can read, not "Unknown tool".
     */
    static boolean holdsTool(Authorizer auth, String name) {
        if (auth.check(GrantKind.TOOL, name).isAllowed()) {
            return true;
        }
        for (Grant g : auth.grants(GrantKind.TOOL)) {
            if (g.value().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** @param timed whether a timer answers "timed out" at the deadline (not for a non-blocking tool run inline) */
    private void run(InFlight f, ToolRegistry.Entry entry, boolean timed) {
        try {
            if (f.isClaimed()) {
                return; // cancelled before it started
            }
            ApprovalGate gate = auth.approvals();
            if (gate.required(f.tool, f.arguments)) {
                f.decision = "awaiting approval";
                boolean approved = gate.awaitApproval(f.tool, f.argsSha256, f.argsPreview, limits.approvalTimeout());
                if (f.isClaimed()) {
                    return; // cancelled while waiting
                }
                if (!approved) {
                    answer(f, entry, ToolResult.error("approval denied or expired"), "approval denied", "approval denied");
                    return;
                }
            }
            // Consumes an invocation: done after every check that could still refuse the
            // call, so a refused call never spends the agent's budget.
            Decision d = auth.authorize(GrantKind.TOOL, f.tool);
            if (d instanceof Decision.Denied) {
                String why = "denied: " + ((Decision.Denied) d).reason();
                answer(f, entry, ToolResult.error(why), why, why);
                return;
            }
            f.decision = "allowed";
            f.grant = OptionalLong.of(((Decision.Allowed) d).grant().id());
            Duration timeout = limits.callTimeout();
            Instant deadline = Instant.now().plus(timeout);
            if (timed) {
                f.timeout = timer.schedule(() -> timedOut(f, entry), timeout.toNanos(), TimeUnit.NANOSECONDS);
            }
            ToolResult result;
            try {
                result = entry.tool().call(new ToolCall(agentId, f.arguments, f.token, deadline, toolContext));
            } catch (ToolRefusedException e) {
                // Allowed to run, but its own check refused what it was asked to touch.
                String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                answer(f, entry, ToolResult.error(msg), "refused", msg);
                return;
            } catch (ToolException e) {
                String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                answer(f, entry, ToolResult.error(msg), "allowed", msg);
                return;
            }
            if (result == null) {
                answer(f, entry, ToolResult.error("internal error: tool returned no result"), "allowed", "tool returned null");
                return;
            }
            answer(f, entry, result, "allowed", result.isError() ? firstText(result) : null);
        } catch (Throwable t) {
            if (!f.isClaimed()) {
                // A tool bug: the agent gets a short message; agentd's log gets the stack.
                LOG.log(Level.WARNING, "agent " + agentId + ": tool " + f.tool + " failed", t);
            }
            answer(f, entry, ToolResult.error("internal error in tool " + f.tool + ": " + t.getClass().getSimpleName()),
                    f.decision, "internal error: " + t);
        } finally {
            ScheduledFuture<?> to = f.timeout;
            if (to != null) {
                to.cancel(false);
            }
            // Released when the tool's thread is done, not at the timeout answer: a tool
            // that ignores cancellation keeps occupying a slot, so a stuck tool cannot
            // make the gateway start threads without bound.
            permits.release();
        }
    }

    private void timedOut(InFlight f, ToolRegistry.Entry entry) {
        if (!f.claim()) {
            return;
        }
        f.stop();
        String why = "timed out after " + human(limits.callTimeout());
        deliver(f.conn, f.id, entry, f.tool, f.argsSha256, f.argsPreview, f.startNanos, ToolResult.error(why), f.decision, why,
                f.grant);
        ended(f);
    }

    /** {@code notifications/cancelled}: per MCP the cancelled request gets no response. */
    void cancel(Connection c, JsonNode requestId, String reason) {
        InFlight f = c.inFlight.get(McpMessage.idKey(requestId));
        if (f == null || !f.claim()) {
            return; // unknown, or already answered: MCP says ignore
        }
        f.stop();
        String why = "cancelled by client" + (reason == null ? "" : ": " + clip(reason, 200));
        notifyListener(record(f.tool, f.argsSha256, f.argsPreview, f.decision, f.startNanos, 0, why, f.grant));
        ended(f);
    }

    /** The connection is gone: stop its calls; there is no one to answer. */
    void cancelAll(Connection c, String why) {
        for (InFlight f : c.inFlight.values()) {
            if (f.claim()) {
                f.stop();
                notifyListener(record(f.tool, f.argsSha256, f.argsPreview, f.decision, f.startNanos, 0, why, f.grant));
                c.inFlight.remove(f.key, f);
            }
        }
    }

    private void answer(InFlight f, ToolRegistry.Entry entry, ToolResult result, String decision, String error) {
        if (!f.claim()) {
            return; // timed out, cancelled or disconnected meanwhile
        }
        // The id is free again before the client can read the answer: a client
        // that reuses ids one call after another must not be told "already used".
        f.conn.inFlight.remove(f.key, f);
        deliver(f.conn, f.id, entry, f.tool, f.argsSha256, f.argsPreview, f.startNanos, result, decision, error, f.grant);
        f.conn.callEnded();
    }

    private void ended(InFlight f) {
        f.conn.inFlight.remove(f.key, f);
        f.conn.callEnded();
    }

    private void answerAtOnce(Connection c, JsonNode id, ToolRegistry.Entry entry, String name, String sha,
                              String preview, long t0, String decision, String text) {
        deliver(c, id, entry, name, sha, preview, t0, ToolResult.error(text), decision, text, OptionalLong.empty());
    }

    /** Output checks, redaction, size cap, audit record, then the answer — in that order. */
    private void deliver(Connection c, JsonNode id, ToolRegistry.Entry entry, String name, String sha, String preview,
                         long t0, ToolResult result, String decision, String error, OptionalLong grant) {
        ObjectNode node;
        try {
            node = resultNode(entry, result);
        } catch (IllegalArgumentException e) {
            error = e.getMessage();
            node = resultNode(null, ToolResult.error(e.getMessage()));
        }
        if (redactor != Function.<String>identity()) {
            node = (ObjectNode) redact(node);
        }
        byte[] bytes = gw.toBytes(node);
        long resultBytes = bytes.length;
        if (bytes.length > limits.maxResultBytes()) {
            error = "result too large: " + bytes.length + " bytes, more than the " + limits.maxResultBytes() + "-byte cap";
            bytes = gw.toBytes(resultNode(null, ToolResult.error(error)));
        }
        CallRecord r = record(name, sha, preview, decision, t0, resultBytes, error, grant);
        if (notifyListener(r)) {
            c.send(gw.resultLine(id, bytes));
        } else {
            gw.sendError(c, id, McpMessage.INTERNAL_ERROR, "Internal error: the call could not be recorded", null);
        }
    }

    private void sendErrorAfterRecord(Connection c, JsonNode id, CallRecord r, int code, String message, JsonNode data) {
        if (notifyListener(r)) {
            gw.sendError(c, id, code, message, data);
        } else {
            gw.sendError(c, id, McpMessage.INTERNAL_ERROR, "Internal error: the call could not be recorded", null);
        }
    }

    /** False when the listener failed: the caller then must not deliver an unaudited result. */
    private boolean notifyListener(CallRecord r) {
        try {
            listener.onCall(r);
            return true;
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "agent " + agentId + ": call listener failed; answering with an internal error", e);
            return false;
        }
    }

    private CallRecord record(String tool, String sha, String preview, String decision, long t0, long resultBytes,
                              String error) {
        return record(tool, sha, preview, decision, t0, resultBytes, error, OptionalLong.empty());
    }

    private CallRecord record(String tool, String sha, String preview, String decision, long t0, long resultBytes,
                              String error, OptionalLong grant) {
        long micros = (System.nanoTime() - t0) / 1000;
        Optional<String> err = error == null ? Optional.empty() : Optional.of(clip(redactor.apply(error), MAX_RECORDED_TEXT));
        return new CallRecord(agentId, tool, sha, preview, clip(redactor.apply(decision), MAX_RECORDED_TEXT), micros,
                resultBytes, err, grant);
    }

    /**
     * The MCP {@code CallToolResult}. Structured content is checked against the tool's
     * output schema: a client was promised that shape, so a mismatch is the tool's
     * error, reported as such rather than passed on.
     *
     * @throws IllegalArgumentException saying what is wrong with the tool's result
     */
    private static ObjectNode resultNode(ToolRegistry.Entry entry, ToolResult r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ArrayNode content = n.putArray("content");
        r.content().forEach(content::add);
        if (entry != null && !r.isError()) {
            Optional<JsonNode> sc = r.structuredContent();
            if (sc.isPresent() && !sc.get().isObject()) {
                throw new IllegalArgumentException("tool " + entry.tool().name() + " returned structuredContent that is not a JSON object");
            }
            if (entry.output().isPresent()) {
                if (sc.isEmpty()) {
                    throw new IllegalArgumentException("tool " + entry.tool().name()
                            + " declares an outputSchema but returned no structuredContent");
                }
                List<String> problems = Schemas.validate(entry.output().get(), sc.get());
                if (!problems.isEmpty()) {
                    throw new IllegalArgumentException("tool " + entry.tool().name()
                            + " returned structuredContent that does not match its outputSchema: " + String.join("; ", problems));
                }
            }
        }
        r.structuredContent().filter(JsonNode::isObject).ifPresent(sc -> n.set("structuredContent", sc));
        n.put("isError", r.isError());
        return n;
    }

    /** A copy of {@code n} with the redactor applied to every string (names included). */
    private JsonNode redact(JsonNode n) {
        if (n.isTextual()) {
            return TextNode.valueOf(redactor.apply(n.textValue()));
        }
        if (n.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(redactor.apply(e.getKey()), redact(e.getValue()));
            }
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            n.forEach(x -> out.add(redact(x)));
            return out;
        }
        return n;
    }

    private static String firstText(ToolResult r) {
        for (JsonNode b : r.content()) {
            if ("text".equals(b.path("type").textValue())) {
                return b.path("text").asText();
            }
        }
        return "tool reported an error";
    }

    static String clip(String s, int max) {
        return ArgsPreview.truncate(s, max);
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
