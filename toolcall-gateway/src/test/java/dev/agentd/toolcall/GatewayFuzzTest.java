package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage in, never a crash: random bytes, truncated and mutated requests, odd
 * unicode and over-long lines, on several connections, while a well-behaved client
 * keeps calling. Seeded and bounded (count and time) so a failure reproduces.
 */
class GatewayFuzzTest {
    @TempDir
    Path dir;

    private static final String[] SEEDS = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{\"cursor\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"tools/call\",\"params\":{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":3}}",
        "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}",
    };
    private static final String[] ODD = {"\u0000", "\u2028", "\uD83D\uDE00", "\uFFFF", "\\u0000", "\\uD800", "\"", "\\", "{", "}",
        "[", "]", ":", ",", "null", "1e999999", "-0", "9".repeat(400), "true", "\u00e9", "\r"};

    @Test
    void garbage_neverCrashesTheGateway_andAWellBehavedClientKeepsGettingAnswers() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo(), TestTools.add()),
                b -> b.limits(GatewayLimits.builder().maxMessageBytes(4096).maxResultBytes(2048).maxOutboundBytes(64 * 1024).agentRate(null).build()), "echo", "add")) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger goodAnswers = new AtomicInteger();
            AtomicReference<Throwable> goodFailure = new AtomicReference<>();
            Thread good = new Thread(() -> {
                try (RawClient c = h.client()) {
                    for (int i = 1; !stop.get(); i++) {
                        JsonNode r = c.call(i, "echo", "{\"text\":\"n" + i + "\"}");
                        if (RawClient.isError(r)) {
                            // The fuzzers' valid calls share the agent's call slots: "busy" is a fair answer.
                            assertTrue(RawClient.text(r).startsWith("too many concurrent calls"), r.toString());
                        } else {
                            assertEquals("n" + i, RawClient.text(r));
                            goodAnswers.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    goodFailure.set(t);
                }
            });
            good.start();

            long deadline = System.currentTimeMillis() + 8000;
            List<Thread> fuzzers = new ArrayList<>();
            AtomicInteger lines = new AtomicInteger();
            AtomicReference<Throwable> badOutput = new AtomicReference<>();
            for (int t = 0; t < 3; t++) {
                long seed = 1234 + t;
                Thread f = new Thread(() -> fuzz(h, new Random(seed), 1500, deadline, lines, badOutput));
                fuzzers.add(f);
                f.start();
            }
            for (Thread f : fuzzers) {
                f.join(15_000);
            }
            stop.set(true);
            good.join(10_000);
            if (goodFailure.get() != null) {
                throw new AssertionError("the well-behaved client failed", goodFailure.get());
            }
            if (badOutput.get() != null) {
                throw new AssertionError("the gateway wrote something that is not a JSON-RPC message", badOutput.get());
            }
            assertTrue(goodAnswers.get() > 10, "answers to the good client: " + goodAnswers.get());
            assertTrue(lines.get() > 1000, "fuzz lines sent: " + lines.get());
            try (RawClient after = h.client()) {
                assertEquals("{}", after.request(1, "ping", null).get("result").toString());
            }
        }
    }

    /** One fuzzing connection (reconnecting whenever the gateway closes it). */
    private static void fuzz(Harness h, Random rnd, int count, long deadline, AtomicInteger lines, AtomicReference<Throwable> bad) {
        RawClient c = null;
        try {
            for (int i = 0; i < count && System.currentTimeMillis() < deadline; i++) {
                if (c == null) {
                    c = h.client();
                }
                try {
                    c.sendBytes(garbageLine(rnd));
                    lines.incrementAndGet();
                } catch (java.io.IOException e) {
                    c.close(); // closed after an over-long line: expected
                    c = null;
                    continue;
                }
                String l;
                while ((l = c.nextLine(0)) != null) {
                    if (l.equals(RawClient.EOF)) {
                        c.close();
                        c = null;
                        break;
                    }
                    JsonNode m = RawClient.JSON.readTree(l);
                    if (!"2.0".equals(m.path("jsonrpc").asText()) || !(m.has("result") || m.has("error") || m.has("method"))) {
                        throw new AssertionError("bad output line: " + l);
                    }
                }
            }
        } catch (Throwable t) {
            bad.compareAndSet(null, t);
        } finally {
            if (c != null) {
                try {
                    c.close();
                } catch (java.io.IOException ignored) {
                    // test teardown
                }
            }
        }
    }

    private static byte[] garbageLine(Random rnd) {
        String seed = SEEDS[rnd.nextInt(SEEDS.length)];
        byte[] out;
        switch (rnd.nextInt(7)) {
            case 0: { // random bytes
                out = new byte[rnd.nextInt(200)];
                rnd.nextBytes(out);
                break;
            }
            case 1: // truncated
                out = seed.substring(0, rnd.nextInt(seed.length())).getBytes(StandardCharsets.UTF_8);
                break;
            case 2: { // byte flips
                out = seed.getBytes(StandardCharsets.UTF_8);
                for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                    out[rnd.nextInt(out.length)] = (byte) rnd.nextInt(256);
                }
                break;
            }
            case 3: { // odd tokens spliced in
                StringBuilder b = new StringBuilder(seed);
                for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                    b.insert(rnd.nextInt(b.length()), ODD[rnd.nextInt(ODD.length)]);
                }
                out = b.toString().getBytes(StandardCharsets.UTF_8);
                break;
            }
            case 4: // type confusion in well-formed JSON
                out = seed.replace("\"params\":{", "\"params\":" + pick(rnd, "[", "\"x\",\"p\":{", "1,\"p\":{", "null,\"p\":{"))
                        .replace("\"id\":", "\"id\":" + pick(rnd, "", "[1],\"i\":", "{\"a\":1},\"i\":", "true,\"i\":", "null,\"i\":"))
                        .getBytes(StandardCharsets.UTF_8);
                break;
            case 5: // deep nesting, sometimes too deep
                int d = 1 + rnd.nextInt(200);
                out = ("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":"
                        + "[".repeat(d) + "]".repeat(d) + "}}}").getBytes(StandardCharsets.UTF_8);
                break;
            default: // rarely, a line longer than the limit (closes the connection)
                out = rnd.nextInt(20) == 0 ? "x".repeat(5000).getBytes(StandardCharsets.UTF_8) : seed.getBytes(StandardCharsets.UTF_8);
                break;
        }
        byte[] line = new byte[out.length + 1];
        for (int i = 0; i < out.length; i++) {
            line[i] = out[i] == '\n' ? (byte) ' ' : out[i]; // one line per case; framing is fuzzed by the cases above
        }
        line[out.length] = '\n';
        return line;
    }

    private static String pick(Random rnd, String... xs) {
        return xs[rnd.nextInt(xs.length)];
    }
}
