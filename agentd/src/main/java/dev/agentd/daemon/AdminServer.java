package dev.agentd.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.linux.ProcessSyscall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The admin socket: newline-delimited JSON-RPC 2.0 (docs/admin-api.md).
 * One thread per connection; the peer is identified once, at accept, by
 * {@code SO_PEERCRED}, and must be root or in the admin group.
 */
final class AdminServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A request line longer than this is refused: manifests are small. */
    private static final int MAX_LINE = 1 << 20;

    private final Path socket;
    private final Supervisor supervisor;
    private final Audit audit;
    private final Store store;
    private final CapsApi capsApi;
    private final DaemonStatus status;
    private final String adminGroup;
    private final ServerSocketChannel server;
    private volatile boolean closed;
    private volatile Checkpoints checkpoints;

    /** What {@code daemon.status} reports. */
    interface DaemonStatus {
        ObjectNode get();
    }

    AdminServer(Path socket, Supervisor supervisor, Audit audit, Store store, DaemonStatus status, String adminGroup,
            CapsApi capsApi) throws IOException {
        this.capsApi = capsApi;
        this.socket = socket;
        this.supervisor = supervisor;
        this.audit = audit;
        this.store = store;
        this.status = status;
        this.adminGroup = adminGroup;
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        // 0660 root:agentd — the permission check the kernel makes at
        // connect(); SO_PEERCRED below is the second check.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        OptionalInt gid = PeerIdentity.gidOf(adminGroup);
        if (gid.isPresent()) {
            Files.setAttribute(socket, "unix:gid", gid.getAsInt());
        }
    }

    void start() {
        Thread t = new Thread(this::acceptLoop, "agentd-admin-accept");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                SocketChannel c = server.accept();
                Thread t = new Thread(() -> serve(c), "agentd-admin-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("agentd: admin accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            UnixDomainPrincipal peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED);
            String user = peer.user().getName();
            OptionalInt uid = PeerIdentity.uidOf(user);
            OutputStream out = Channels.newOutputStream(c);
            boolean allowed = uid.isPresent() && (uid.getAsInt() == 0
                    || PeerIdentity.inGroup(user, peer.group().getName(), adminGroup));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
            String line;
            while ((line = readLine(in)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                if (!allowed) {
                    send(out, error(null, AgentdException.PERMISSION_DENIED,
                            "permission denied: the admin socket is for root and group " + adminGroup, null));
                    return;
                }
                handle(line, uid.getAsInt(), out);
            }
        } catch (IOException e) {
            // client went away
        }
    }

    private static String readLine(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int ch;
        while ((ch = in.read()) >= 0) {
            if (ch == '\n') {
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("request line longer than " + MAX_LINE + " bytes");
            }
            sb.append((char) ch);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private void handle(String line, int actor, OutputStream out) throws IOException {
        JsonNode req;
        try {
            req = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            send(out, error(null, -32700, "parse error: " + e.getOriginalMessage(), null));
            return;
        }
        JsonNode id = req.get("id");
        if (!req.isObject() || !req.path("method").isTextual()) {
            send(out, error(id, -32600, "invalid request: expected {\"jsonrpc\":\"2.0\",\"method\":...,\"id\":...}", null));
            return;
        }
        String method = req.get("method").asText();
        JsonNode params = req.path("params");
        try {
            JsonNode result = dispatch(method, params, actor, out, id);
            ObjectNode resp = JSON.createObjectNode();
            resp.put("jsonrpc", "2.0");
            resp.set("id", id);
            resp.set("result", result);
            send(out, resp);
        } catch (AgentdException e) {
            send(out, error(id, e.code(), e.getMessage(), e.data()));
        } catch (RuntimeException | Error e) {
            // Answer even then: a client must never wait for a reply that will not come.
            send(out, error(id, AgentdException.INTERNAL, "internal error: " + e, null));
        }
    }

    /** Serves the checkpoint.* methods with {@code c}. */
    void checkpoints(Checkpoints c) {
        this.checkpoints = c;
    }

    private JsonNode dispatch(String method, JsonNode p, int actor, OutputStream out, JsonNode reqId)
            throws AgentdException, IOException {
        if (method.startsWith("checkpoint.") && checkpoints != null) {
            return checkpointMethod(method, p, actor, out);
        }
        switch (method) {
            case "agent.spawn": {
                String text;
                String path = p.path("path").isTextual() ? p.get("path").asText() : null;
                if (p.path("manifest").isTextual()) {
                    text = p.get("manifest").asText();
                } else if (path != null) {
                    text = ClientFiles.readManifest(Path.of(path));
                } else {
                    throw new AgentdException(AgentdException.INVALID_PARAMS, "agent.spawn needs \"manifest\" (text) or \"path\"");
                }
                return agentJson(supervisor.spawn(text, path, actor));
            }
            case "agent.list": {
                ObjectNode r = JSON.createObjectNode();
                ArrayNode arr = r.putArray("agents");
                for (AgentRecord a : supervisor.list(p.path("all").asBoolean(false))) {
                    arr.add(agentJson(a));
                }
                return r;
            }
            case "agent.status":
                return agentJson(supervisor.status(id(p)));
            case "agent.stop":
                return agentJson(supervisor.stop(id(p), Duration.ofSeconds(p.path("grace_seconds").asLong(10)), actor));
            case "agent.kill":
                return agentJson(supervisor.kill(id(p), p.path("signal").asInt(ProcessSyscall.SIGKILL), actor));
            case "agent.wait":
                return agentJson(supervisor.await(id(p), Duration.ofSeconds(p.path("timeout_seconds").asLong(0))));
            case "agent.logs":
                return logs(p, out);
            case "daemon.status":
                return status.get();
            case "audit.list":
                return auditList(p, out);
            case "audit.verify": {
                dev.agentd.audit.Verification v = audit.verify();
                ObjectNode r = JSON.createObjectNode();
                r.put("ok", v.ok());
                r.put("records", v.records());
                r.put("head_seq", v.headSeq());
                // Committed while verification ran: checked, and no sign of tampering.
                r.put("beyond_head", v.beyondHead());
                r.put("pruned_through", v.anchorSeq());
                ArrayNode a = r.putArray("problems");
                v.problems().forEach(a::add);
                return r;
            }
            case "audit.prune":
                return auditPrune(p, actor);
            default: {
                JsonNode r = capsApi.dispatch(method, params(p), actor);
                if (r != null) {
                    return r;
                }
                throw new AgentdException(-32601, "method not found: " + method + " (see " + String.join(", ", methods()) + ")");
            }
        }
    }

    /**
     * The checkpoint methods. Long ones ({@code create}, {@code restore},
     * {@code export}, {@code import}) send {@code checkpoint.progress}
     * notifications ({@code phase}, {@code detail}) before their answer.
     */
    private JsonNode checkpointMethod(String method, JsonNode p, int actor, OutputStream out)
            throws AgentdException, IOException {
        Checkpoints.Progress progress = (phase, detail) -> {
            ObjectNode n = JSON.createObjectNode();
            n.put("jsonrpc", "2.0");
            n.put("method", "checkpoint.progress");
            ObjectNode params = n.putObject("params");
            params.put("phase", phase);
            params.put("detail", detail);
            try {
                send(out, n);
            } catch (IOException e) {
                // the client went away; the operation still completes
            }
        };
        switch (method) {
            case "checkpoint.create": {
                CheckpointRecord c = checkpoints.create(id(p), p.path("leave_running").asBoolean(false),
                        p.path("incremental").asBoolean(false), actor, progress);
                return checkpoints.json(c);
            }
            case "checkpoint.list": {
                ObjectNode r = JSON.createObjectNode();
                ArrayNode arr = r.putArray("checkpoints");
                String agent = p.path("agent").isTextual() ? p.get("agent").asText() : null;
                for (CheckpointRecord c : checkpoints.list(agent)) {
                    arr.add(checkpoints.json(c));
                }
                return r;
            }
            case "checkpoint.status":
                return checkpoints.json(checkpoints.get(id(p)));
            case "checkpoint.remove":
                return checkpoints.json(checkpoints.remove(id(p), actor));
            case "checkpoint.export":
                return checkpoints.export(id(p), Path.of(text(p, "file")), actor, progress);
            case "checkpoint.import":
                return checkpoints.json(checkpoints.importFrom(Path.of(text(p, "file")), actor, progress));
            case "checkpoint.restore": {
                String name = p.path("name").isTextual() ? p.get("name").asText() : null;
                return agentJson(checkpoints.restore(id(p), name, actor, progress));
            }
            default:
                throw new AgentdException(-32601, "method not found: " + method + " (see " + String.join(", ", methods()) + ")");
        }
    }

    private static String text(JsonNode p, String field) throws AgentdException {
        if (!p.path(field).isTextual() || p.get(field).asText().isEmpty()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "missing parameter \"" + field + "\" (a string)");
        }
        return p.get(field).asText();
    }

    /**
     * {@code audit.prune}: deletes the records before {@code before} (an
     * ISO-8601 instant), keeping the rest verifiable from an anchor and
     * recording who pruned what in a chained {@code audit.prune} record.
     */
    private JsonNode auditPrune(JsonNode p, int actor) throws AgentdException, IOException {
        if (!p.path("before").isTextual()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "audit.prune needs \"before\": an ISO-8601 instant"
                    + " like 2026-11-22T10:00:00Z");
        }
        java.time.Instant before;
        try {
            before = java.time.Instant.parse(p.get("before").asText());
        } catch (java.time.format.DateTimeParseException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "before: expected an ISO-8601 instant like"
                    + " 2026-11-22T10:00:00Z, got \"" + p.get("before").asText() + "\"");
        }
        dev.agentd.audit.Pruned pr = audit.prune(before, actor);
        ObjectNode r = JSON.createObjectNode();
        r.put("before", before.toString());
        r.put("pruned", pr.records());
        r.put("from_seq", pr.fromSeq());
        r.put("to_seq", pr.toSeq());
        if (pr.anchorHash() == null) {
            r.putNull("anchor_hash");
        } else {
            r.put("anchor_hash", pr.anchorHash());
        }
        r.put("record", pr.record().seq());
        return r;
    }

    /**
     * Audit records, oldest first, optionally of one agent and since a time;
     * with {@code follow}, then each new record as an {@code audit.record}
     * notification until the client goes away.
     */
    private JsonNode auditList(JsonNode p, OutputStream out) throws AgentdException, IOException {
        String agent = p.path("agent").isTextual() ? supervisor.status(p.get("agent").asText()).id() : null;
        java.time.Instant since = null;
        if (p.path("since").isTextual()) {
            try {
                since = java.time.Instant.parse(p.get("since").asText());
            } catch (java.time.format.DateTimeParseException e) {
                throw new AgentdException(AgentdException.INVALID_PARAMS, "since: expected an ISO-8601 instant like"
                        + " 2026-11-22T10:00:00Z, got \"" + p.get("since").asText() + "\"");
            }
        }
        boolean follow = p.path("follow").asBoolean(false);
        ObjectNode r = JSON.createObjectNode();
        ArrayNode arr = r.putArray("records");
        long last = 0;
        while (true) {
            List<dev.agentd.audit.AuditRecord> page = audit.rows(agent, last, 10_000);
            for (dev.agentd.audit.AuditRecord row : page) {
                last = row.seq();
                if (since != null && java.time.Instant.parse(row.time()).isBefore(since)) {
                    continue;
                }
                ObjectNode o = JSON.createObjectNode();
                o.put("seq", row.seq());
                o.put("time", row.time());
                if (row.actorUid() == null) {
                    o.putNull("actor_uid");
                } else {
                    o.put("actor_uid", row.actorUid());
                }
                o.put("agent", row.agentId());
                o.put("event", row.event());
                o.set("details", JSON.readTree(row.details()));
                o.put("hash", row.hash());
                if (follow) {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("jsonrpc", "2.0");
                    n.put("method", "audit.record");
                    n.set("params", o);
                    send(out, n);
                } else {
                    arr.add(o);
                }
            }
            if (page.size() == 10_000) {
                continue; // more to read now
            }
            if (!follow) {
                return r;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return r;
            }
        }
    }

    private static JsonNode params(JsonNode p) {
        return p.isMissingNode() || p.isNull() ? JSON.createObjectNode() : p;
    }

    private static String id(JsonNode p) throws AgentdException {
        if (!p.path("id").isTextual() || p.get("id").asText().isEmpty()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "missing parameter \"id\" (an agent id or name)");
        }
        return p.get("id").asText();
    }

    private JsonNode logs(JsonNode p, OutputStream out) throws AgentdException, IOException {
        AgentRecord a = supervisor.status(id(p));
        Path log = supervisor.logFile(a.id());
        int tail = p.path("tail").asInt(100);
        boolean follow = p.path("follow").asBoolean(false);
        ObjectNode r = JSON.createObjectNode();
        ArrayNode lines = r.putArray("lines");
        if (!Files.exists(log)) {
            r.put("eof", true);
            return r;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            Deque<String> last = new ArrayDeque<>();
            String l;
            StringBuilder partial = new StringBuilder();
            long pos = 0;
            byte[] all = new byte[(int) Math.min(f.length(), 64L << 20)];
            f.seek(Math.max(0, f.length() - all.length));
            f.readFully(all);
            pos = f.getFilePointer();
            for (String s : new String(all, StandardCharsets.UTF_8).split("\n", -1)) {
                last.addLast(s);
                if (last.size() > tail + 1) {
                    last.removeFirst();
                }
            }
            String trailing = last.pollLast(); // text after the last newline
            partial.append(trailing == null ? "" : trailing);
            if (!follow) {
                last.forEach(lines::add);
                if (partial.length() > 0) {
                    lines.add(partial.toString());
                }
                r.put("eof", true);
                return r;
            }
            for (String s : last) {
                notifyLine(out, a.id(), s);
            }
            // Follow: poll the file until the agent has ended and all is read.
            while (true) {
                boolean ended = !supervisor.isLive(a.id());
                long len = f.length();
                if (len > pos) {
                    f.seek(pos);
                    byte[] more = new byte[(int) Math.min(len - pos, 1 << 20)];
                    f.readFully(more);
                    pos += more.length;
                    partial.append(new String(more, StandardCharsets.UTF_8));
                    int nl;
                    while ((nl = partial.indexOf("\n")) >= 0) {
                        notifyLine(out, a.id(), partial.substring(0, nl));
                        partial.delete(0, nl + 1);
                    }
                    continue;
                }
                if (ended) {
                    if (partial.length() > 0) {
                        notifyLine(out, a.id(), partial.toString());
                    }
                    break;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            r.put("eof", true);
            return r;
        }
    }

    private static void notifyLine(OutputStream out, String id, String line) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("jsonrpc", "2.0");
        n.put("method", "agent.log");
        ObjectNode params = n.putObject("params");
        params.put("id", id);
        params.put("line", line);
        send(out, n);
    }

    ObjectNode agentJson(AgentRecord a) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", a.id());
        o.put("name", a.name());
        o.put("state", a.state().wire());
        putInt(o, "pid", a.pid());
        o.put("uid", a.uid());
        o.put("created_at", a.createdAt().toString());
        o.put("started_at", a.startedAt() == null ? null : a.startedAt().toString());
        o.put("exited_at", a.exitedAt() == null ? null : a.exitedAt().toString());
        putInt(o, "exit_code", a.exitCode());
        putInt(o, "exit_signal", a.exitSignal());
        o.put("restarts", a.restarts());
        try {
            o.put("restart_policy", dev.agentd.manifest.ManifestParser.parse(a.manifest(), a.manifestPath() == null ? "stored" : a.manifestPath()).restart().policy().yamlName());
        } catch (dev.agentd.manifest.ManifestException e) {
            o.putNull("restart_policy");
        }
        o.put("requested_by", a.requestedBy());
        ArrayNode d = o.putArray("dropped");
        a.dropped().forEach(d::add);
        o.put("error", a.error());
        Map<String, Object> res = supervisor.resources(a.id());
        o.set("resources", res.isEmpty() ? null : JSON.valueToTree(res));
        Toolcalls calls = supervisor.toolcalls();
        o.put("toolcalls", calls == null ? 0 : calls.calls(a.id()));
        o.put("manifest_path", a.manifestPath());
        return o;
    }

    private static void putInt(ObjectNode o, String k, Integer v) {
        if (v == null) {
            o.putNull(k);
        } else {
            o.put(k, v);
        }
    }

    private static ObjectNode error(JsonNode id, int code, String message, JsonNode data) {
        ObjectNode resp = JSON.createObjectNode();
        resp.put("jsonrpc", "2.0");
        resp.set("id", id);
        ObjectNode err = resp.putObject("error");
        err.put("code", code);
        err.put("message", message);
        if (data != null) {
            err.set("data", data);
        }
        return resp;
    }

    private static void send(OutputStream out, JsonNode msg) throws IOException {
        synchronized (out) {
            out.write((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // closing
        }
    }

    static List<String> methods() {
        return List.of("agent.spawn", "agent.list", "agent.status", "agent.stop", "agent.kill", "agent.wait", "agent.logs",
                "daemon.status", "audit.list", "audit.verify", "audit.prune", "tool.list", "tool.call", "caps.list", "caps.grant",
                "caps.revoke", "secret.set", "secret.list", "secret.delete", "approval.list", "approval.approve",
                "approval.deny", "mcp.list", "mcp.approve", "checkpoint.create", "checkpoint.list", "checkpoint.status",
                "checkpoint.remove", "checkpoint.export", "checkpoint.import", "checkpoint.restore");
    }
}
