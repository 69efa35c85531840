package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A client of agentd's admin socket: newline-delimited JSON-RPC 2.0 over a
 * Unix domain stream socket ({@code docs/admin-api.md}).
 *
 * <p>Uses the JDK's own {@code AF_UNIX} {@link SocketChannel} (Java 16+), not
 * jnr-ffi, so agentctl starts fast and loads no native code. One connection
 * carries any number of requests, strictly one at a time: agentd answers in
 * order, so a request's response is the next non-notification line.
 *
 * <p>Errors come out typed: {@link AgentdUnreachableException} when the socket
 * cannot be reached or the connection drops, {@link AdminException} when
 * agentd answers with a JSON-RPC error, a plain {@link IOException} when it
 * answers with something that is not the protocol.
 *
 * <p>Not thread-safe.
 */
public final class AdminClient implements AutoCloseable {

    /** Where agentd listens unless told otherwise. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/agentd/agentd.sock");
    /** Environment variable that overrides {@link #DEFAULT_SOCKET}. */
    public static final String SOCKET_ENV = "AGENTD_SOCKET";
    /** Method of the notifications agentd sends while following logs. */
    public static final String LOG_NOTIFICATION = "agent.log";
    /** Method of the notifications agentd sends while following the audit log. */
    public static final String AUDIT_NOTIFICATION = "audit.record";


    private final Path socket;
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private long nextId = 1;

    private AdminClient(Path socket, SocketChannel channel) {
        this.socket = socket;
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * The socket to use: the explicit option if given, else {@code $AGENTD_SOCKET}
     * if set and non-empty, else {@link #DEFAULT_SOCKET}.
     */
    public static Path resolveSocket(Path option, Map<String, String> env) {
        if (option != null) {
            return option;
        }
        String fromEnv = env.get(SOCKET_ENV);
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_SOCKET : Path.of(fromEnv);
    }

    /**
     * Connects to agentd.
     *
     * @throws AgentdUnreachableException with an actionable message when the
     *         socket is missing, refuses, or may not be opened by this user
     */
    public static AdminClient connect(Path socket) throws AgentdUnreachableException {
        Objects.requireNonNull(socket, "socket");
        try {
            return new AdminClient(socket, SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        } catch (IOException e) {
            throw AgentdUnreachableException.connectFailed(socket, e);
        }
    }

    /** The socket this client is connected to. */
    public Path socket() {
        return socket;
    }

    /** A notification agentd sent while a request was in flight. */
    public record Notification(String method, JsonNode params) {}

    /** Sends {@code request} and returns its {@code result}; notifications are ignored. */
    public JsonNode call(Request request) throws IOException, AdminException {
        return call(request, n -> {});
    }

    /**
     * Sends {@code request}, hands every notification that arrives before the
     * response to {@code onNotification} (in arrival order, on this thread),
     * and returns the response's {@code result}.
     *
     * @throws AdminException when agentd answers with an error object
     */
    public JsonNode call(Request request, Consumer<Notification> onNotification) throws IOException, AdminException {
        long id = nextId++;
        send(id, request);
        while (true) {
            JsonNode msg = receive(request.method());
            JsonNode msgId = msg.get("id");
            if (msg.has("method") && (msgId == null || msgId.isNull())) {
                onNotification.accept(new Notification(msg.get("method").asText(), msg.path("params")));
                continue;
            }
            JsonNode error = msg.get("error");
            if (error != null && !error.isNull()) {
                // An error with a null id is agentd failing to read our line
                // at all (parse error); it is still the answer to this request.
                throw new AdminException(error.path("code").asInt(AdminException.INTERNAL_ERROR),
                        error.path("message").asText("agentd returned an error without a message"),
                        error.get("data"));
            }
            if (msgId == null || !msgId.isIntegralNumber() || msgId.asLong() != id) {
                throw new IOException("agentd answered " + request.method() + " (id " + id + ") with id "
                        + msgId + ": protocol out of step");
            }
            if (!msg.has("result")) {
                throw new IOException("agentd's response to " + request.method() + " has neither result nor error");
            }
            return msg.get("result");
        }
    }

    /** {@code agent.spawn}. */
    public Agent spawn(String manifestText, Path manifestPath) throws IOException, AdminException {
        String path = manifestPath == null ? null : manifestPath.toAbsolutePath().normalize().toString();
        return new Agent(call(new Request.Spawn(manifestText, path)));
    }

    /** {@code agent.list}. */
    public AgentList list(boolean all) throws IOException, AdminException {
        return new AgentList(call(new Request.ListAgents(all)));
    }

    /** {@code agent.status}. */
    public Agent status(String id) throws IOException, AdminException {
        return new Agent(call(new Request.Status(id)));
    }

    /** {@code agent.stop}; returns once the agent has ended. */
    public Agent stop(String id, Integer graceSeconds) throws IOException, AdminException {
        return new Agent(call(new Request.Stop(id, graceSeconds)));
    }

    /** {@code agent.kill}. */
    public Agent kill(String id, int signal) throws IOException, AdminException {
        return new Agent(call(new Request.Kill(id, signal)));
    }

    /** {@code agent.wait}; {@code timeoutSeconds} 0 waits forever. */
    public Agent waitFor(String id, long timeoutSeconds) throws IOException, AdminException {
        return new Agent(call(new Request.Wait(id, timeoutSeconds)));
    }

    /** {@code agent.logs} without follow. */
    public LogsResult logs(String id, Integer tail) throws IOException, AdminException {
        return new LogsResult(call(new Request.Logs(id, tail, false)));
    }

    /**
     * {@code agent.logs} with follow: hands each streamed line to
     * {@code onLine} as it arrives and returns once the agent's output ended.
     * The connection carries only this request while it is in flight, so
     * every {@code agent.log} notification on it belongs to this agent (which
     * may have been named rather than given by id).
     */
    public LogsResult follow(String id, Integer tail, Consumer<String> onLine) throws IOException, AdminException {
        JsonNode result = call(new Request.Logs(id, tail, true), n -> {
            if (LOG_NOTIFICATION.equals(n.method()) && n.params().has("line")) {
                onLine.accept(n.params().get("line").asText());
            }
        });
        return new LogsResult(result);
    }

    /** {@code daemon.status}. */
    public DaemonInfo daemonStatus() throws IOException, AdminException {
        return new DaemonInfo(call(new Request.DaemonStatus()));
    }

    /** {@code audit.list} without follow; {@code agent} and {@code since} may be {@code null}. */
    public AuditLog auditList(String agent, Instant since) throws IOException, AdminException {
        return new AuditLog(call(new Request.AuditList(agent, since == null ? null : since.toString(), false)));
    }

    /**
     * {@code audit.list} with follow: hands every record, past and new, to
     * {@code onRecord} as it arrives. agentd streams until the client hangs
     * up, so this normally returns only by an exception (or never, until the
     * process is interrupted); should agentd answer after all, the records in
     * its answer go to {@code onRecord} too.
     */
    public AuditLog auditFollow(String agent, Instant since, Consumer<AuditRecord> onRecord)
            throws IOException, AdminException {
        AuditLog rest = new AuditLog(call(new Request.AuditList(agent, since == null ? null : since.toString(), true),
                n -> {
                    if (AUDIT_NOTIFICATION.equals(n.method()) && n.params().isObject()) {
                        onRecord.accept(new AuditRecord(n.params()));
                    }
                }));
        rest.records().forEach(onRecord);
        return rest;
    }

    /** {@code audit.verify}. */
    public AuditVerification auditVerify() throws IOException, AdminException {
        return new AuditVerification(call(new Request.AuditVerify()));
    }

    /** {@code audit.prune}. */
    public AuditPruning auditPrune(Instant before) throws IOException, AdminException {
        return new AuditPruning(call(new Request.AuditPrune(before.toString())));
    }

    /** {@code tool.list}. */
    public Tools tools(String id) throws IOException, AdminException {
        return new Tools(call(new Request.ToolList(id)));
    }

    /** {@code tool.call}; a tool's own failure is a result with {@code isError}, not an exception. */
    public ToolResult callTool(String id, String name, JsonNode arguments) throws IOException, AdminException {
        return new ToolResult(call(new Request.ToolCall(id, name, arguments)));
    }

    /** {@code caps.list}. */
    public Capabilities caps(String id) throws IOException, AdminException {
        return new Capabilities(call(new Request.CapsList(id)));
    }

    /** {@code caps.grant}. */
    public Grant grant(Request.CapsGrant request) throws IOException, AdminException {
        return new Grant(call(request));
    }

    /** {@code caps.revoke}. */
    public Revocation revoke(long grantId) throws IOException, AdminException {
        return new Revocation(call(new Request.CapsRevoke(grantId)));
    }

    /** {@code secret.set}; {@code value} is sent base64-encoded, as is. */
    public Secrets setSecret(String name, byte[] value) throws IOException, AdminException {
        return new Secrets(call(new Request.SecretSet(name, Base64.getEncoder().encodeToString(value))));
    }

    /** {@code secret.list}. */
    public Secrets secrets() throws IOException, AdminException {
        return new Secrets(call(new Request.SecretList()));
    }

    /** {@code secret.delete}. */
    public Secrets deleteSecret(String name) throws IOException, AdminException {
        return new Secrets(call(new Request.SecretDelete(name)));
    }

    /** {@code approval.list}. */
    public Approvals approvals() throws IOException, AdminException {
        return new Approvals(call(new Request.ApprovalList()));
    }

    /** {@code approval.approve}, or {@code approval.deny} when {@code approve} is false. */
    public Approval decide(String id, boolean approve) throws IOException, AdminException {
        return new Approval(call(new Request.ApprovalDecide(id, approve)));
    }

    /** {@code mcp.list}. */
    public McpServers mcpServers() throws IOException, AdminException {
        return new McpServers(call(new Request.McpList()));
    }

    /** {@code mcp.approve}: the server after its current definitions were pinned and its quarantine lifted. */
    public McpServer approveMcp(String name) throws IOException, AdminException {
        return new McpServer(call(new Request.McpApprove(name)));
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void send(long id, Request request) throws IOException {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("jsonrpc", "2.0");
        envelope.put("id", id);
        envelope.put("method", request.method());
        envelope.put("params", request.params());
        // Jackson escapes control characters, so a manifest's newlines can
        // never split the request across lines.
        byte[] line = (Json.compactValue(envelope) + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(line);
            out.flush();
        } catch (IOException e) {
            throw AgentdUnreachableException.lost(socket, request.method(), e);
        }
    }

    private JsonNode receive(String method) throws IOException {
        String line;
        try {
            line = in.readLine();
        } catch (IOException e) {
            throw AgentdUnreachableException.lost(socket, method, e);
        }
        if (line == null) {
            throw AgentdUnreachableException.lost(socket, method, null);
        }
        JsonNode msg;
        try {
            msg = Json.parse(line);
        } catch (IOException e) {
            throw new IOException("agentd sent a line that is not JSON during " + method + ": " + abbreviate(line), e);
        }
        if (!msg.isObject()) {
            throw new IOException("agentd sent something other than a JSON object during " + method + ": "
                    + abbreviate(line));
        }
        return msg;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
