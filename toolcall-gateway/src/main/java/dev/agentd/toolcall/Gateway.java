package dev.agentd.toolcall;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent's toolcall socket: newline-delimited JSON-RPC 2.0 with MCP server
 * semantics ({@code initialize}, {@code ping}, {@code tools/list}, {@code tools/call},
 * {@code notifications/cancelled}, and {@code notifications/tools/list_changed} sent by
 * {@link #sendListChanged()}).
 *
 * <p>Identity is the socket: whoever the kernel says is connected ({@code SO_PEERCRED})
 * must be the agent's uid (and, when configured, a pid in the agent's cgroup); nothing a
 * client writes can change which agent it is.
 *
 * <p>Threads, all daemon and named {@code toolcall-<agent>-...}: one acceptor (none when a
 * shared {@link Acceptor} accepts for many gateways); a reader
 * and a writer per connection (at most {@link GatewayLimits#maxConnections()}); call
 * threads (at most {@link GatewayLimits#maxConcurrentCalls()} running tools, plus
 * threads of timed-out tools that ignore cancellation); one timer (while timers are pending). Nothing is shared
 * with other agents' gateways, so one agent's load or misbehaviour stays its own.
 */
public final class Gateway implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());

    /** {@code serverInfo.version} unless configured. */
    public static final String SERVER_VERSION = "0.1.0";
    /** Protocol revisions this server speaks, newest first; the first is offered to other clients. */
    public static final List<String> PROTOCOL_VERSIONS = List.of("2025-11-25", "2025-06-18");

    private static final byte[] LIST_CHANGED =
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/tools/list_changed\"}\n".getBytes(StandardCharsets.UTF_8);
    private static final int BACKLOG = 64;

    private final GatewayConfig config;
    private final ToolRegistry tools;
    private final Authorizer auth;
    private final CallListener listener;
    private final ObjectMapper json;
    private final ServerSocketChannel server;
    private final UserPrincipal agentUser;
    private final Object socketFileKey;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connectionNumbers = new AtomicInteger();
    private final AtomicInteger threadNumbers = new AtomicInteger();
    private final ExecutorService callPool;
    private final ScheduledThreadPoolExecutor timer;
    private final Calls calls;
    /** Its own accepting thread, or null when a shared {@link Acceptor} accepts. */
    private final Thread acceptor;
    private final Acceptor sharedAcceptor;
    private final Object admitLock = new Object();
    private volatile boolean closed;

    private Gateway(GatewayConfig config, ToolRegistry tools, Authorizer auth, CallListener listener,
                    ServerSocketChannel server, UserPrincipal agentUser, Object socketFileKey, Acceptor shared) {
        this.config = config;
        this.tools = tools;
        this.auth = auth;
        this.listener = listener;
        this.server = server;
        this.agentUser = agentUser;
        this.socketFileKey = socketFileKey;
        this.json = mapper(config.limits());
        // As many threads as call slots, kept while busy and let go when idle. Not a cached
        // pool: its hand-off queue starts a new thread whenever the previous call's thread
        // has not yet returned to the pool, which for back-to-back calls is nearly always.
        int slots = config.limits().maxConcurrentCalls();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(slots, slots, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> newThread(r, "call"));
        pool.allowCoreThreadTimeOut(true);
        this.callPool = pool;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> newThread(r, "timer"));
        this.timer.setRemoveOnCancelPolicy(true); // answered calls must not leave 30 s timers behind
        // An idle agent keeps no timer thread (a thread waiting on pending timers stays).
        this.timer.setKeepAliveTime(30, TimeUnit.SECONDS);
        this.timer.allowCoreThreadTimeOut(true);
        this.calls = new Calls(this, tools, auth, listener, callPool, timer);
        this.sharedAcceptor = shared;
        this.acceptor = shared == null ? newThread(this::acceptLoop, "accept") : null;
    }

    /**
     * Creates the socket (mode 0600, owned by the agent's uid; a stale socket at the path is
     * replaced) and starts serving.
     *
     * @throws FileAlreadyExistsException when something other than a socket is at the path
     * @throws IOException                when the socket cannot be created, chmod-ed or chown-ed
     */
    public static Gateway open(GatewayConfig cfg, ToolRegistry tools, Authorizer auth, CallListener listener)
            throws IOException {
        return open(cfg, tools, auth, listener, null);
    }

    /**
     * As {@link #open(GatewayConfig, ToolRegistry, Authorizer, CallListener)}, with
     * connections accepted by {@code acceptor} (shared by many gateways) instead
     * of a thread of this gateway's own; null for one of its own.
     */
    public static Gateway open(GatewayConfig cfg, ToolRegistry tools, Authorizer auth, CallListener listener,
                               Acceptor acceptor) throws IOException {
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(listener, "listener");
        Path path = cfg.socketPath();
        ServerSocketChannel server = bindPrivately(path, cfg.agentUid());
        try {
            UserPrincipal owner = Files.getOwner(path, LinkOption.NOFOLLOW_LINKS);
            Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            Gateway g = new Gateway(cfg, tools, auth, listener, server, owner, key, acceptor);
            if (acceptor == null) {
                g.acceptor.start();
            } else {
                acceptor.register(server, g::admit);
            }
            return g;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /**
     * Binds under a temporary name, restricts it, then renames it into place: the final
     * path never exists with the umask's permissions or the wrong owner, so there is no
     * window in which another local user could connect to it.
     */
    private static ServerSocketChannel bindPrivately(Path path, int uid) throws IOException {
        Path tmp = path.resolveSibling("." + path.getFileName() + ".new");
        removeStaleSocket(path);
        removeStaleSocket(tmp);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            try {
                server.bind(UnixDomainSocketAddress.of(tmp), BACKLOG);
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("cannot bind " + tmp + " (sockets paths are limited to 107 bytes): " + e.getMessage(), e);
            }
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            if (uidOf(tmp) != uid) {
                Files.setOwner(tmp, tmp.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(Integer.toString(uid)));
                if (uidOf(tmp) != uid) {
                    // lookupPrincipalByName prefers a user NAMED like the number; refuse rather than guess.
                    throw new IOException("chown " + tmp + " to uid " + uid + " gave uid " + uidOf(tmp));
                }
            }
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static int uidOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    /** Removes a socket left by a previous run; refuses to remove anything else. */
    private static void removeStaleSocket(Path p) throws IOException {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        final int sIfmt = 0170000; // sys/stat.h
        final int sIfsock = 0140000;
        if ((mode & sIfmt) != sIfsock) {
            throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a socket; not replacing it");
        }
        Files.delete(p);
    }

    public String agentId() {
        return config.agentId();
    }

    public Path socketPath() {
        return config.socketPath();
    }

    public GatewayConfig config() {
        return config;
    }

    GatewayLimits limits() {
        return config.limits();
    }

    /** Open connections (for metrics and tests). */
    public int connectionCount() {
        return connections.size();
    }

    /** Calls holding a concurrency slot: awaiting approval, running, or timed out but not yet returned. */
    public int callsInFlight() {
        return calls.inFlightCount();
    }

    /**
     * Tells every connection of this agent that its tool list changed (grants added or
     * revoked); clients then call {@code tools/list} again.
     */
    public void sendListChanged() {
        for (Connection c : connections) {
            c.send(LIST_CHANGED);
        }
    }

    // ---- holding calls for a checkpoint ----

    private final Object holdLock = new Object();
    private boolean held;
    /** Calls read while held, per connection: such a connection is not idle. */
    private final java.util.Map<Connection, Integer> heldCalls = new java.util.HashMap<>();

    /**
     * Holds new tool calls (they wait, unanswered, until {@link #release}) and
     * waits up to {@code timeout} for the calls in flight to finish.
     *
     * @return whether no call is in flight any more; the hold stays either way
     */
    public boolean hold(java.time.Duration timeout) throws InterruptedException {
        synchronized (holdLock) {
            held = true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (calls.inFlightCount() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /** How long {@link #closeIdleConnections} waits for the shared acceptor's admissions in progress. */
    static final java.time.Duration ADMISSION_WAIT = java.time.Duration.ofSeconds(2);
    /** How long apart the two looks are that find a connection quiet before it is closed. */
    static final java.time.Duration QUIET_RECHECK = java.time.Duration.ofMillis(50);

    /**
     * While held and while the agent cannot connect or write (its cgroup
     * frozen): takes every connection still in the listening socket's kernel
     * backlog (connect() returned in the agent, yet agentd never accepted it),
     * waits briefly for the admissions in progress, then closes every connection
     * that is quiet — no held call, no unread bytes, no incomplete line — so that
     * no connection of the agent's is open on agentd's side across a checkpoint
     * (CRIU cannot save one end of a Unix connection whose other end is outside
     * the dumped tree) and no request is lost with one. Agentd's clients
     * reconnect on their next call. A connection that is not quiet, or one still
     * not admitted, is left open and counted: the caller thaws the agent, lets
     * its call run and tries again.
     *
     * <p>A gateway with its own accepting thread (no shared {@link Acceptor})
     * cannot take its backlog from under that thread: only the connections
     * already admitted are looked at.
     *
     * @return how many connections stay open (0: none of the agent's is open on agentd's side)
     */
    public int closeIdleConnections(String why) throws InterruptedException {
        int busy = 0;
        if (sharedAcceptor != null) {
            try {
                busy += sharedAcceptor.drain(server, ADMISSION_WAIT);
            } catch (IOException e) {
                // The backlog may still hold a connection: not idle.
                LOG.log(Level.WARNING, "agent " + agentId() + ": cannot accept from the backlog: " + e);
                busy++;
            }
        }
        // Quiet twice, QUIET_RECHECK apart: a reader thread whose read() has
        // taken a request out of the socket (FIONREAD 0) but not yet marked it
        // in hand looks quiet for that moment; the agent is frozen, so nothing
        // else can change between the looks but such a reader going on (seen
        // on a newly admitted connection, whose reader had just started).
        java.util.Set<Connection> quietOnce = new java.util.HashSet<>();
        synchronized (holdLock) {
            for (Connection c : connections) {
                if (heldCalls.getOrDefault(c, 0) == 0 && c.quiet()) {
                    quietOnce.add(c);
                }
            }
        }
        if (!quietOnce.isEmpty()) {
            Thread.sleep(QUIET_RECHECK.toMillis());
        }
        synchronized (holdLock) {
            for (Connection c : connections) {
                if (quietOnce.contains(c) && heldCalls.getOrDefault(c, 0) == 0 && c.quiet()) {
                    c.abort(why);
                } else {
                    busy++;
                }
            }
        }
        return busy;
    }

    /** Ends a {@link #hold}: held calls go on. */
    public void release() {
        synchronized (holdLock) {
            held = false;
            holdLock.notifyAll();
        }
    }

    /** On a connection's reader thread: waits while calls are held. */
    private void awaitRelease(Connection c) {
        synchronized (holdLock) {
            if (!held) {
                return;
            }
            heldCalls.merge(c, 1, Integer::sum);
            try {
                while (held && !closed) {
                    holdLock.wait(1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                heldCalls.merge(c, -1, Integer::sum);
            }
        }
    }

    /** Stops accepting, closes every connection (their calls are cancelled), removes the socket file. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sharedAcceptor != null) {
            sharedAcceptor.unregister(server);
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing a listening socket does not fail in a way we could act on.
        }
        synchronized (holdLock) {
            holdLock.notifyAll(); // readers waiting out a hold see the gateway closed now
        }
        List<Connection> open = new ArrayList<>(connections);
        for (Connection c : open) {
            c.abort("gateway closed");
        }
        callPool.shutdownNow();
        timer.shutdownNow();
        try {
            if (acceptor != null) {
                acceptor.join(1000);
            }
            // Returns once the clients see their connections closed (bounded: a thread
            // stuck elsewhere does not hold up agentd's shutdown).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            for (Connection c : open) {
                c.awaitEnd(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteSocketIfOurs();
    }

    // A new gateway may already own the path (restart): delete only the file we created.
    private void deleteSocketIfOurs() {
        Path p = config.socketPath();
        try {
            Object key = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (Objects.equals(key, socketFileKey)) {
                Files.delete(p);
            }
        } catch (IOException ignored) {
            // Already gone.
        }
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // EMFILE and friends: back off instead of spinning on a listener that keeps failing.
                LOG.log(Level.WARNING, "agent " + agentId() + ": accept failed: " + e);
                sleepQuietly(50);
                continue;
            }
            admit(ch);
        }
    }

    /** On this gateway's accepting thread, or on the shared acceptor's pool: one connection at a time. */
    private void admit(SocketChannel ch) {
        synchronized (admitLock) {
            admitOne(ch);
        }
    }

    private void admitOne(SocketChannel ch) {
        String refusal = checkPeer(ch);
        boolean tooMany = false;
        if (refusal == null && connections.size() >= limits().maxConnections()) {
            refusal = "too many connections (at most " + limits().maxConnections() + ")";
            tooMany = true;
        }
        if (refusal != null) {
            LOG.log(Level.WARNING, "agent " + agentId() + ": connection refused: " + refusal);
            // Reported before the client can observe the refusal, like call records.
            try {
                listener.onConnectionRefused(agentId(), refusal);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "agent " + agentId() + ": listener failed on a refused connection", e);
            }
            if (tooMany) {
                // Said to the client, which is the agent itself: it should close some. An
                // impostor (wrong uid or pid) is told nothing.
                writeQuietly(ch, errorLine(NullNode.instance, McpMessage.SERVER_LIMIT, refusal, null));
            }
            closeQuietly(ch);
            return;
        }
        Connection c = new Connection(this, ch, connectionNumbers.incrementAndGet());
        connections.add(c); // only under admitLock, so the size check above cannot be raced past
        if (closed) {
            c.abort("gateway closed");
            return;
        }
        c.start();
    }

    /** Null when the peer is the agent; else why not. */
    private String checkPeer(SocketChannel ch) {
        PeerCredentials peer;
        try {
            peer = config.peerCredentials().read(ch);
        } catch (IOException | RuntimeException e) {
            return "cannot read peer credentials: " + e;
        }
        if (!peer.user().equals(agentUser)) {
            return "peer uid " + peer.user().getName() + " is not the agent's uid " + config.agentUid();
        }
        if (config.peerPidInAgentCgroup().isPresent()) {
            OptionalInt pid = peer.pid();
            if (pid.isEmpty()) {
                return "peer pid unknown; the pid check is configured";
            }
            boolean inCgroup;
            try {
                inCgroup = config.peerPidInAgentCgroup().get().test(pid.getAsInt());
            } catch (RuntimeException e) {
                return "pid check failed for pid " + pid.getAsInt() + ": " + e;
            }
            if (!inCgroup) {
                return "peer pid " + pid.getAsInt() + " is not in the agent's cgroup";
            }
        }
        return null;
    }

    void connectionEnded(Connection c) {
        connections.remove(c);
    }

    void cancelCalls(Connection c, String why) {
        calls.cancelAll(c, why);
    }

    Thread newThread(Runnable r, String role) {
        Thread t = new Thread(r, "toolcall-" + agentId() + "-" + role + "-" + threadNumbers.incrementAndGet());
        t.setDaemon(true); // a gateway never keeps agentd (or a test JVM) alive on its own
        return t;
    }

    // ---- dispatch (on a connection's reader thread) ----

    void dispatch(Connection c, byte[] line, int len) {
        long t0 = System.nanoTime();
        if (isBlank(line, len)) {
            return;
        }
        JsonNode msg;
        try {
            msg = json.readTree(line, 0, len);
        } catch (JacksonException e) {
            // Answered, and the connection stays: the framing (newlines) is intact, only this line is bad.
            sendError(c, NullNode.instance, McpMessage.PARSE_ERROR, "Parse error: " + Calls.clip(e.getOriginalMessage(), 200), null);
            return;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from a byte array does not do I/O
        }
        if (msg == null || msg.isMissingNode()) {
            return;
        }
        try {
            dispatch(c, msg, t0);
        } catch (RuntimeException e) {
            // A failure for one request is answered with that request's id, so the
            // client does not wait for it forever.
            JsonNode id = msg.isObject() && msg.has("id") ? msg.get("id") : NullNode.instance;
            sendError(c, id, McpMessage.INTERNAL_ERROR, "Internal error: " + Calls.clip(String.valueOf(e.getMessage()), 200), null);
        }
    }

    private void dispatch(Connection c, JsonNode msg, long t0) {
        McpMessage m = McpMessage.parse(msg);
        if (m instanceof McpMessage.CallTool) {
            awaitRelease(c);
            calls.start(c, (McpMessage.CallTool) m, t0);
        } else if (m instanceof McpMessage.Ping) {
            c.send(resultLine(((McpMessage.Ping) m).id(), "{}".getBytes(StandardCharsets.UTF_8)));
        } else if (m instanceof McpMessage.ListTools) {
            send(c, ((McpMessage.ListTools) m).id(), listTools());
        } else if (m instanceof McpMessage.Initialize) {
            McpMessage.Initialize i = (McpMessage.Initialize) m;
            send(c, i.id(), initialize(c, i.protocolVersion()));
        } else if (m instanceof McpMessage.Initialized) {
            c.initialized = true;
        } else if (m instanceof McpMessage.Cancelled) {
            McpMessage.Cancelled x = (McpMessage.Cancelled) m;
            calls.cancel(c, x.requestId(), x.reason());
        } else if (m instanceof McpMessage.UnknownRequest) {
            McpMessage.UnknownRequest u = (McpMessage.UnknownRequest) m;
            sendError(c, u.id(), McpMessage.METHOD_NOT_FOUND, "Method not found: " + Calls.clip(u.method(), 100), null);
        } else if (m instanceof McpMessage.Invalid) {
            McpMessage.Invalid x = (McpMessage.Invalid) m;
            sendError(c, x.id(), x.code(), x.message(), null);
        } else if (m instanceof McpMessage.OtherNotification || m instanceof McpMessage.ClientResponse) {
            return; // JSON-RPC: notifications are never answered; the gateway sent no request to be answered
        } else {
            throw new IllegalStateException("unhandled message " + m); // the sealed set grew
        }
    }

    /**
     * MCP lifecycle: answer the client's version when supported, else our latest (the
     * client then decides whether to go on). Requests before {@code initialize} are
     * served too: harmless, and {@code socat} users need not handshake.
     */
    private ObjectNode initialize(Connection c, String requested) {
        String version = requested != null && PROTOCOL_VERSIONS.contains(requested) ? requested : PROTOCOL_VERSIONS.get(0);
        c.protocolVersion = version;
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("protocolVersion", version);
        r.putObject("capabilities").putObject("tools").put("listChanged", true);
        ObjectNode info = r.putObject("serverInfo");
        info.put("name", "agentd");
        info.put("version", config.serverVersion());
        return r;
    }

    /**
     * Only the tools the agent holds a live {@code tool:} grant for, checked without consuming
     * ({@link Calls#holdsTool}: a grant over its rate right now still counts, so the list does
     * not flicker with the agent's call rate).
     */
    private ObjectNode listTools() {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        ArrayNode list = r.putArray("tools");
        for (Tool t : tools.tools()) {
            if (!Calls.holdsTool(auth, t.name())) {
                continue;
            }
            ObjectNode d = list.addObject();
            d.put("name", t.name());
            d.put("description", t.description());
            d.set("inputSchema", t.inputSchema());
            t.outputSchema().ifPresent(s -> d.set("outputSchema", s));
        }
        return r;
    }

    private static boolean isBlank(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    // ---- output ----

    private void send(Connection c, JsonNode id, JsonNode result) {
        c.send(resultLine(id, toBytes(result)));
    }

    void sendError(Connection c, JsonNode id, int code, String message, JsonNode data) {
        c.send(errorLine(id, code, message, data));
    }

    byte[] toBytes(JsonNode n) {
        try {
            return json.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"jsonrpc":"2.0","id":ID,"result":RESULT}\n}, splicing already-serialized result bytes. */
    byte[] resultLine(JsonNode id, byte[] result) {
        byte[] head = ("{\"jsonrpc\":\"2.0\",\"id\":" + id.toString() + ",\"result\":").getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + result.length + 2);
        out.writeBytes(head);
        out.writeBytes(result);
        out.write('}');
        out.write('\n');
        return out.toByteArray();
    }

    private byte[] errorLine(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("jsonrpc", "2.0");
        m.set("id", id);
        ObjectNode e = m.putObject("error");
        e.put("code", code);
        e.put("message", message);
        if (data != null) {
            e.set("data", data);
        }
        byte[] b = toBytes(m);
        byte[] line = new byte[b.length + 1];
        System.arraycopy(b, 0, line, 0, b.length);
        line[b.length] = '\n';
        return line;
    }

    /**
     * The request parser. Limits that matter for a hostile peer: nesting depth (recursion
     * in the parser, the tree and the schema validator), duplicate member names (two
     * parsers reading one message differently is how checks get bypassed), and trailing
     * data after the value (one line, one message).
     */
    static ObjectMapper mapper(GatewayLimits limits) {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(limits.maxNestingDepth())
                        .maxStringLength(limits.maxMessageBytes())
                        .maxNumberLength(1000)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        // Floats as BigDecimal: 1e999999 is valid JSON, and as a double it would be
        // Infinity, which nothing downstream (hashing, schemas, audit) can write back.
        return new ObjectMapper(f).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    }

    private static void writeQuietly(SocketChannel ch, byte[] b) {
        try {
            // A fresh socket's send buffer holds far more than one short error line, so this does not block.
            ch.write(ByteBuffer.wrap(b));
        } catch (IOException ignored) {
            // The refused client is gone already.
        }
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing to do.
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
