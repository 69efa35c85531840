package dev.agentd.agentctl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for agentd on a temporary Unix socket: answers each method with
 * a canned reply and records every request, so tests can assert what
 * agentctl sent and how it printed the answer. No root, no daemon.
 */
final class FakeAgentd implements AutoCloseable {
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** Writes the lines of one reply. */
    interface Reply {
        /** A notification (no id) before the response. */
        void notify(String method, JsonNode params);

        /** The successful response. */
        void result(JsonNode result);

        /** An error response. */
        void error(int code, String message, JsonNode data);

        /** A raw line, for protocol-violation tests. */
        void raw(String line);
    }

    /** How one method is answered. */
    interface Responder {
        void respond(JsonNode request, Reply reply) throws IOException;
    }

    private final Path socket;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final List<JsonNode> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Responder> responders = new ConcurrentHashMap<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    FakeAgentd(Path dir) throws IOException {
        this.socket = dir.resolve("agentd.sock");
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        this.acceptor = new Thread(this::acceptLoop, "fake-agentd");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    Path socket() {
        return socket;
    }

    /** Answers {@code method} with {@code resultJson}. */
    FakeAgentd result(String method, String resultJson) {
        JsonNode result = parse(resultJson);
        return on(method, (req, reply) -> reply.result(result));
    }

    /** Answers {@code method} with an error. */
    FakeAgentd error(String method, int code, String message, String dataJson) {
        JsonNode data = dataJson == null ? null : parse(dataJson);
        return on(method, (req, reply) -> reply.error(code, message, data));
    }

    /** Answers {@code method} with {@code agent.log} notifications, one per line, then {@code resultJson}. */
    FakeAgentd follow(String method, List<String> lines, String resultJson) {
        JsonNode result = parse(resultJson);
        return on(method, (req, reply) -> {
            for (String line : lines) {
                ObjectNode params = MAPPER.createObjectNode();
                params.put("id", req.path("params").path("id").asText());
                params.put("line", line);
                reply.notify("agent.log", params);
            }
            reply.result(result);
        });
    }

    FakeAgentd on(String method, Responder responder) {
        responders.put(method, responder);
        return this;
    }

    /** Every request received, in order. */
    List<JsonNode> requests() {
        return new ArrayList<>(requests);
    }

    /** The only request received; fails when there were others. */
    JsonNode onlyRequest() {
        List<JsonNode> r = requests();
        if (r.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + r);
        }
        return r.get(0);
    }

    /** Failures inside the fake (they would otherwise vanish on its threads). */
    List<Throwable> failures() {
        return failures;
    }

    static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel conn = server.accept();
                Thread t = new Thread(() -> serve(conn), "fake-agentd-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel conn) {
        try (conn) {
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(conn), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(conn);
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode req;
                try {
                    req = MAPPER.readTree(line);
                } catch (JsonProcessingException e) {
                    failures.add(new AssertionError("agentctl sent a line that is not JSON: " + line, e));
                    return;
                }
                requests.add(req);
                JsonNode id = req.get("id");
                Reply reply = new Reply() {
                    @Override
                    public void notify(String method, JsonNode params) {
                        ObjectNode n = MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method);
                        n.set("params", params);
                        raw(n.toString());
                    }

                    @Override
                    public void result(JsonNode result) {
                        ObjectNode r = MAPPER.createObjectNode().put("jsonrpc", "2.0");
                        r.set("id", id);
                        r.set("result", result);
                        raw(r.toString());
                    }

                    @Override
                    public void error(int code, String message, JsonNode data) {
                        ObjectNode e = MAPPER.createObjectNode().put("code", code).put("message", message);
                        if (data != null) {
                            e.set("data", data);
                        }
                        ObjectNode r = MAPPER.createObjectNode().put("jsonrpc", "2.0");
                        r.set("id", id);
                        r.set("error", e);
                        raw(r.toString());
                    }

                    @Override
                    public void raw(String text) {
                        try {
                            out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                };
                Responder r = responders.get(req.path("method").asText());
                if (r == null) {
                    reply.error(AdminException.METHOD_NOT_FOUND, "method not found: " + req.path("method"), null);
                } else {
                    r.respond(req, reply);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // The connection failed: the client hung up mid-reply (as agentctl
            // does when its stdout closes; a reset when it left unread data),
            // or a responder simulated a crash. agentd must live with that; so
            // does the fake.
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
