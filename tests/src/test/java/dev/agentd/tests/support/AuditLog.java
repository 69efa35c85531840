package dev.agentd.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** The audit JSON lines agentd prints, captured as they come. */
public final class AuditLog {
    private final List<String> lines = new ArrayList<>();
    private final ByteSink sink = new ByteSink();

    /** The stream to give agentd. */
    public PrintStream stream() {
        return new PrintStream(sink, true, StandardCharsets.UTF_8);
    }

    /** Adds a line read elsewhere (an agentd in another process). */
    public synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    public synchronized List<String> lines() {
        return new ArrayList<>(lines);
    }

    /** Every line that parses as an audit record. */
    public List<JsonNode> events() {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines()) {
            try {
                JsonNode n = Rpc.JSON.readTree(l);
                if (n != null && n.has("event")) {
                    out.add(n);
                }
            } catch (IOException e) {
                // not an audit line
            }
        }
        return out;
    }

    /** Audit records of {@code event} for agent {@code id}. */
    public List<JsonNode> events(String event, String id) {
        return events().stream().filter(e -> event.equals(e.path("event").asText())
                && (id == null || id.equals(e.path("agent").asText()))).collect(Collectors.toList());
    }

    /**
     * Records of {@code event} for agent {@code id} once there are at least
     * {@code n}: agentd prints a record's line just after its commit, off the
     * path of the request that wrote it, so a line may trail the answer.
     */
    public List<JsonNode> awaitEvents(String event, String id, int n, Duration timeout) {
        await(e -> events(event, id).size() >= n, timeout, n + " x " + event + " of " + id);
        return events(event, id);
    }

    /** Waits for the first record matching {@code p}; fails after {@code timeout}. */
    public JsonNode await(Predicate<JsonNode> p, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode e : events()) {
                if (p.test(e)) {
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no audit record " + what + " within " + timeout + "; got:\n"
                        + String.join("\n", lines()));
            }
            synchronized (this) {
                try {
                    wait(Math.max(1, Math.min(100, left / 1_000_000)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    public JsonNode await(String event, String id, Duration timeout) {
        return await(e -> event.equals(e.path("event").asText()) && id.equals(e.path("agent").asText()), timeout,
                event + " of " + id);
    }

    private final class ByteSink extends OutputStream {
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                add(buf.toString(StandardCharsets.UTF_8));
                buf.reset();
            } else {
                buf.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }
    }
}
