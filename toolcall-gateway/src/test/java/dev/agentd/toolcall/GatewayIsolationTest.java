package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One slow or greedy client must not slow anyone else down. */
class GatewayIsolationTest {
    @TempDir
    Path dir;

    @Test
    void slowWriter_doesNotBlockAnotherConnection() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo");
             RawClient slow = h.client(); RawClient fast = h.client()) {
            byte[] req = "{\"jsonrpc\":\"2.0\",\"id\":\"slow\",\"method\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8);
            Thread trickle = new Thread(() -> {
                try {
                    for (byte b : req) {
                        slow.sendBytes(new byte[] {b});
                        Thread.sleep(50);
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            trickle.start();
            long worst = 0;
            int i = 0;
            while (trickle.isAlive()) {
                long t0 = System.nanoTime();
                assertEquals("f" + i, RawClient.text(fast.call(i, "echo", "{\"text\":\"f" + i + "\"}")));
                worst = Math.max(worst, System.nanoTime() - t0);
                i++;
                Thread.sleep(20);
            }
            assertTrue(i > 20, "fast calls during the trickle: " + i);
            assertTrue(worst < 1_000_000_000L, "slowest fast call: " + worst / 1_000_000 + " ms");
            assertEquals("\"slow\"", slow.next().get("id").toString(), "and the slow one is answered too");
        }
    }

    @Test
    void hundredsOfConnectionsToOneAgent_doNotAffectAnotherAgentsGateway() throws Exception {
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        try (Harness noisy = new Harness(dir.resolve("a"), ToolRegistry.of(TestTools.echo()), "echo");
             Harness quiet = new Harness(dir.resolve("b"), ToolRegistry.of(TestTools.echo()), "echo");
             RawClient q = quiet.client()) {
            List<java.nio.channels.SocketChannel> flood = new ArrayList<>();
            try {
                // The quiet agent's calls are answered while the flood goes on. How fast is the
                // bench's business, not a test's: a bound in seconds fails on a loaded machine.
                for (int i = 0; i < 300; i++) {
                    flood.add(java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(noisy.socket())));
                    if (i % 20 == 0) {
                        assertEquals("q", RawClient.text(q.call(i, "echo", "{\"text\":\"q\"}")));
                    }
                }
                long end = System.currentTimeMillis() + 5000;
                while (noisy.refusals.size() < 300 - 16 && System.currentTimeMillis() < end) {
                    Thread.sleep(10);
                }
                assertEquals(16, noisy.gateway.connectionCount(), "bounded per agent");
                assertEquals(300 - 16, noisy.refusals.size());
                assertTrue(quiet.refusals.isEmpty());
            } finally {
                for (java.nio.channels.SocketChannel ch : flood) {
                    ch.close();
                }
            }
        }
    }
}
