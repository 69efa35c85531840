package dev.agentd.toolcall.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A blocking MCP client for an agent's toolcall socket; one request at a time
 * (methods are synchronized).
 *
 * <p>Reconnection: when the connection has dropped between calls (agentd restarted its
 * gateway), the next request reconnects and re-initializes transparently. A request is
 * re-sent only when it provably never reached the server — its write failed, and the
 * server acts only on complete lines — so a tool never runs twice because of a retry.
 * If the connection drops after the request went out, the call fails with an
 * {@link IOException} saying it may have run.
 */
public final class ToolcallClient implements AutoCloseable {
    /** Where agentd mounts the agent's socket inside the sandbox. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/agentd/toolcall.sock");
    /** The protocol revision this client asks for. */
    public static final String PROTOCOL_VERSION = "2025-11-25";
    /** Longest answer line accepted: above the gateway's 1 MiB result cap, bounded against a broken peer. */
    private static final int MAX_LINE = 16 * 1024 * 1024;

    private final Path path;
    private final Duration connectTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private SocketChannel channel;
    private InputStream in;
    private long nextId = 1;
    private JsonNode serverInit;
    private Consumer<JsonNode> notificationHandler = n -> {};

    private ToolcallClient(Path path, Duration connectTimeout) {
        this.path = Objects.requireNonNull(path, "path");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
    }

    /** Connects to {@link #DEFAULT_SOCKET} and initializes. */
    public static ToolcallClient connect() throws IOException {
        return connect(DEFAULT_SOCKET);
    }

    /** Connects to {@code socket} and initializes, waiting up to 5 s for the socket to appear. */
    public static ToolcallClient connect(Path socket) throws IOException {
        return connect(socket, Duration.ofSeconds(5));
    }

    /**
     * @param connectTimeout how long a (re)connection keeps retrying while the socket is absent
     *                       or refuses connections (a gateway restarting)
     */
    public static ToolcallClient connect(Path socket, Duration connectTimeout) throws IOException {
        ToolcallClient c = new ToolcallClient(socket, connectTimeout);
        c.ensureConnected();
        return c;
    }

    /** Receives server notifications (e.g. {@code notifications/tools/list_changed}) while waiting for answers. */
    public synchronized void onNotification(Consumer<JsonNode> handler) {
        notificationHandler = Objects.requireNonNull(handler, "handler");
    }

    /** The server's answer to the last {@code initialize} (protocolVersion, capabilities, serverInfo). */
    public synchronized JsonNode initializeResult() {
        return serverInit;
    }

    /** Sends {@code initialize} and {@code notifications/initialized} again on the current connection. */
    public synchronized JsonNode initialize() throws IOException {
        ensureConnected();
        return handshake();
    }

    public synchronized void ping() throws IOException {
        request("ping", null);
    }

    /** The tools this agent may call (name, description, inputSchema, outputSchema). */
    public synchronized List<JsonNode> listTools() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        request("tools/list", null).path("tools").forEach(out::add);
        return out;
    }

    /**
     * Calls a tool. Returns the MCP {@code CallToolResult} ({@code content}, optional
     * {@code structuredContent}, {@code isError}) — including denials and tool failures,
     * which are results with {@code isError: true}.
     *
     * @throws ToolcallException for an unknown tool or arguments that do not match its schema
     */
    public synchronized JsonNode callTool(String name, JsonNode arguments) throws IOException {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("name", name);
        p.set("arguments", arguments == null ? JsonNodeFactory.instance.objectNode() : arguments);
        return request("tools/call", p);
    }

    /** Any request; returns its {@code result}. */
    public synchronized JsonNode request(String method, JsonNode params) throws IOException {
        boolean fresh = ensureConnected();
        long id = nextId++;
        byte[] line = requestLine(id, method, params);
        try {
            write(line);
        } catch (IOException e) {
            drop();
            if (fresh) {
                throw e; // a brand-new connection that cannot take a line: do not loop
            }
            // The old connection was dead (EPIPE). The server acts only on complete lines
            // and the newline is the last byte, so nothing of this request was processed.
            ensureConnected();
            try {
                write(line);
            } catch (IOException again) {
                drop();
                throw again;
            }
        }
        try {
            return awaitResult(id);
        } catch (ToolcallException e) {
            throw e;
        } catch (IOException e) {
            drop();
            throw new IOException(method + " was sent but the connection was lost before its answer"
                    + " (it may have run): " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        drop();
    }

    // ---- connection ----

    /** True when it had to (re)connect. */
    private boolean ensureConnected() throws IOException {
        if (channel != null && channel.isOpen()) {
            return false;
        }
        long deadline = System.nanoTime() + connectTimeout.toNanos();
        while (true) {
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
                break;
            } catch (IOException e) {
                drop();
                if (System.nanoTime() > deadline) {
                    throw new IOException("cannot connect to " + path + ": " + e.getMessage(), e);
                }
                sleep(50);
            }
        }
        in = new BufferedInputStream(Channels.newInputStream(channel), 64 * 1024);
        try {
            handshake();
        } catch (IOException e) {
            drop();
            throw e;
        }
        return true;
    }

    private JsonNode handshake() throws IOException {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("protocolVersion", PROTOCOL_VERSION);
        p.putObject("capabilities");
        ObjectNode info = p.putObject("clientInfo");
        info.put("name", "agentd-toolcall-java");
        info.put("version", "0.1.0");
        long id = nextId++;
        write(requestLine(id, "initialize", p));
        serverInit = awaitResult(id);
        ObjectNode initialized = JsonNodeFactory.instance.objectNode();
        initialized.put("jsonrpc", "2.0");
        initialized.put("method", "notifications/initialized");
        write(line(initialized));
        return serverInit;
    }

    private byte[] requestLine(long id, String method, JsonNode params) throws IOException {
        ObjectNode m = JsonNodeFactory.instance.objectNode();
        m.put("jsonrpc", "2.0");
        m.put("id", id);
        m.put("method", method);
        if (params != null) {
            m.set("params", params);
        }
        return line(m);
    }

    private byte[] line(ObjectNode m) throws IOException {
        byte[] b = json.writeValueAsBytes(m);
        byte[] line = new byte[b.length + 1];
        System.arraycopy(b, 0, line, 0, b.length);
        line[b.length] = '\n';
        return line;
    }

    private void write(byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private JsonNode awaitResult(long id) throws IOException {
        while (true) {
            JsonNode m = json.readTree(readLine());
            if (m == null || !m.isObject()) {
                continue;
            }
            if (m.has("method")) {
                if (!m.has("id")) {
                    notificationHandler.accept(m);
                }
                continue; // the gateway sends no requests; anything else is not for us
            }
            JsonNode rid = m.get("id");
            if (rid == null || !rid.canConvertToLong() || rid.asLong() != id) {
                if (rid != null && rid.isNull() && m.has("error")) {
                    // An error the server could not attribute (e.g. "too many connections").
                    JsonNode e = m.get("error");
                    throw new IOException("server error: " + e.path("message").asText());
                }
                continue;
            }
            if (m.has("error")) {
                JsonNode e = m.get("error");
                throw new ToolcallException(e.path("code").asInt(), e.path("message").asText(), e.get("data"));
            }
            return m.path("result");
        }
    }

    private byte[] readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed by the server");
            }
            if (b == '\n') {
                return line.toByteArray();
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("answer longer than " + MAX_LINE + " bytes");
            }
            line.write(b);
        }
    }

    private void drop() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Already broken; a new connection follows.
            }
        }
        channel = null;
        in = null;
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting", e);
        }
    }
}
