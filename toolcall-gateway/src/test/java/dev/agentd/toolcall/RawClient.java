package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare JSON-lines client: writes exactly what a test says and collects every line the
 * gateway sends (on a background thread), so tests can assert on protocol bytes,
 * several requests in flight, and connection closes.
 */
final class RawClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** What the reader thread puts when the server closed the connection. */
    static final String EOF = "\u0000EOF";

    final SocketChannel ch;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread reader;

    RawClient(Path socket) throws IOException {
        ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        reader = new Thread(this::readLoop, "rawclient-reader");
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            while (ch.read(buf) >= 0) {
                buf.flip();
                while (buf.hasRemaining()) {
                    byte b = buf.get();
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
                buf.clear();
            }
        } catch (IOException e) {
            // closed or reset: both end the stream
        }
        lines.add(EOF);
    }

    RawClient send(String line) throws IOException {
        return sendBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends unless the gateway already closed the connection (a refused peer races its close). */
    void trySend(String line) {
        try {
            send(line);
        } catch (IOException e) {
            // EPIPE: closed first; the test asserts on what it reads
        }
    }

    RawClient sendBytes(byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
        return this;
    }

    /** The next line, or null after {@code ms}. */
    String nextLine(long ms) throws InterruptedException {
        return lines.poll(ms, TimeUnit.MILLISECONDS);
    }

    /** The next message, failing after 5 s or at EOF. */
    JsonNode next() throws Exception {
        String l = nextLine(5000);
        assertNotNull(l, "no message within 5 s");
        if (l.equals(EOF)) {
            throw new AssertionError("connection closed by the gateway");
        }
        return JSON.readTree(l);
    }

    /** True when the gateway closes the connection within {@code ms} (skipping any lines before). */
    boolean closedWithin(long ms) throws InterruptedException {
        long end = System.currentTimeMillis() + ms;
        String l;
        while ((l = nextLine(Math.max(1, end - System.currentTimeMillis()))) != null) {
            if (l.equals(EOF)) {
                return true;
            }
        }
        return false;
    }

    /** Sends a request and returns its answer (failing on anything else first). */
    JsonNode request(Object id, String method, String paramsJson) throws Exception {
        String idJson = id instanceof String ? "\"" + id + "\"" : String.valueOf(id);
        send("{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"" + method + "\""
                + (paramsJson == null ? "" : ",\"params\":" + paramsJson) + "}");
        JsonNode m = next();
        assertEquals(idJson, m.get("id").toString(), "answer to another id: " + m);
        return m;
    }

    JsonNode call(Object id, String tool, String argsJson) throws Exception {
        return request(id, "tools/call", "{\"name\":\"" + tool + "\",\"arguments\":" + argsJson + "}");
    }

    void sendCall(Object id, String tool, String argsJson) throws IOException {
        String idJson = id instanceof String ? "\"" + id + "\"" : String.valueOf(id);
        send("{\"jsonrpc\":\"2.0\",\"id\":" + idJson + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + argsJson + "}}");
    }

    static String text(JsonNode response) {
        return response.path("result").path("content").path(0).path("text").asText();
    }

    static boolean isError(JsonNode response) {
        return response.path("result").path("isError").asBoolean();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
