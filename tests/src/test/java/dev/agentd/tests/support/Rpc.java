package dev.agentd.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A deliberately small JSON-RPC 2.0 client of the admin socket, independent
 * of agentctl's typed client so tests can send anything (unknown methods,
 * broken lines). One request at a time; not thread-safe.
 *
 * <p>Every exchange is bounded: a watchdog closes the connection when no
 * answer came within the timeout (a hung agentd fails the test instead of
 * blocking it), and the call throws. The connection is unusable afterwards.
 */
public final class Rpc implements AutoCloseable {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Bound on one exchange unless the caller gives another. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "rpc-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;
    private long nextId = 1;

    private Rpc(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    public static Rpc connect(Path socket) throws IOException {
        return new Rpc(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /** Calls {@code method}; notifications before the response are dropped. */
    public JsonNode call(String method, Map<String, ?> params) throws IOException {
        return call(method, params, n -> {});
    }

    /**
     * Calls {@code method}, handing each notification that arrives before the
     * response to {@code notifications}, and returns the result.
     *
     * @throws RpcException when agentd answers with an error object
     */
    public JsonNode call(String method, Map<String, ?> params, Consumer<JsonNode> notifications) throws IOException {
        return call(method, params, notifications, DEFAULT_TIMEOUT);
    }

    /** As {@link #call(String, Map, Consumer)}, failing when no answer came within {@code timeout}. */
    public JsonNode call(String method, Map<String, ?> params, Consumer<JsonNode> notifications, Duration timeout)
            throws IOException {
        long id = nextId++;
        ObjectNode req = JSON.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("id", id);
        req.put("method", method);
        req.set("params", JSON.valueToTree(params == null ? Map.of() : params));
        JsonNode resp = exchange(method, JSON.writeValueAsString(req), notifications, timeout);
        if (resp.hasNonNull("error")) {
            throw RpcException.of(method, resp.get("error"));
        }
        if (resp.path("id").asLong(-1) != id) {
            throw new IOException("response to " + method + " has id " + resp.get("id") + ", expected " + id + ": " + resp);
        }
        return resp.get("result");
    }

    /**
     * Sends {@code line} exactly as given (a newline is appended) and returns
     * the next message that is not a notification, whatever it is.
     */
    public JsonNode raw(String line) throws IOException {
        return exchange("(raw line)", line, n -> {}, DEFAULT_TIMEOUT);
    }

    private JsonNode exchange(String what, String line, Consumer<JsonNode> notifications, Duration timeout)
            throws IOException {
        boolean[] timedOut = new boolean[1];
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut[0] = true;
            try {
                channel.close();
            } catch (IOException e) {
                // closing
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                String l = in.readLine();
                if (l == null) {
                    throw new IOException("agentd closed the connection during " + what);
                }
                JsonNode msg = JSON.readTree(l);
                if (msg.has("method") && !msg.hasNonNull("id")) {
                    notifications.accept(msg);
                    continue;
                }
                return msg;
            }
        } catch (IOException e) {
            if (timedOut[0]) {
                throw new RpcTimeoutException(what + ": agentd did not answer within " + timeout, e);
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    /** True once the connection was closed (by {@link #close()} or a timeout). */
    public boolean isClosed() {
        return !channel.isOpen();
    }

    /** No answer within the bound: agentd hangs. */
    public static final class RpcTimeoutException extends IOException {
        private static final long serialVersionUID = 1L;

        RpcTimeoutException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
