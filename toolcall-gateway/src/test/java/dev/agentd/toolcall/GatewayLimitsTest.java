package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.broker.Rate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Timeouts, cancellation and every bound in {@link GatewayLimits}. */
class GatewayLimitsTest {
    @TempDir
    java.nio.file.Path dir;

    private static void waitFor(java.util.function.BooleanSupplier cond, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + 5000;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void timeout_answersTimedOut_andCancelsTheToken() throws Exception {
        TestTools.Blocker b = new TestTools.Blocker();
        try (Harness h = new Harness(dir, ToolRegistry.of(b.tool("block")),
                x -> x.limits(GatewayLimits.builder().callTimeout(Duration.ofMillis(200)).build()), "block");
             RawClient c = h.client()) {
            long t0 = System.nanoTime();
            JsonNode r = c.call(1, "block", "{}");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(RawClient.isError(r));
            assertEquals("timed out after 200ms", RawClient.text(r));
            assertTrue(ms >= 190 && ms < 3000, "answered after " + ms + " ms");
            waitFor(() -> b.sawCancel.get() == 1, "the tool to see its token cancelled");
            waitFor(() -> h.gateway.callsInFlight() == 0, "the slot to be released");
            h.awaitRecords(1);
            assertEquals("timed out after 200ms", h.records.get(0).error().orElseThrow());
        }
    }

    @Test
    void cancelled_getsNoResponse_tokenCancelled_otherCallsUnaffected() throws Exception {
        TestTools.Blocker b = new TestTools.Blocker();
        try (Harness h = new Harness(dir, ToolRegistry.of(b.tool("block"), TestTools.echo()), "block", "echo");
             RawClient c = h.client()) {
            c.sendCall("c1", "block", "{}");
            b.startedLatch.await();
            c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"c1\",\"reason\":\"user\"}}");
            waitFor(() -> b.sawCancel.get() == 1, "the token to be cancelled");
            JsonNode next = c.call(2, "echo", "{\"text\":\"after\"}");
            assertEquals("after", RawClient.text(next), "no answer was sent for c1 before this one");
            assertNull(c.nextLine(300), "and none after");
            h.awaitRecords(2);
            CallRecord rec = h.records.stream().filter(r -> r.tool().equals("block")).findFirst().orElseThrow();
            assertEquals("cancelled by client: user", rec.error().orElseThrow());
            waitFor(() -> h.gateway.callsInFlight() == 0, "the slot to be released");
        }
    }

    @Test
    void cancelOfUnknownOrFinishedRequest_isIgnored() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()), "echo"); RawClient c = h.client()) {
            assertEquals("x", RawClient.text(c.call(1, "echo", "{\"text\":\"x\"}")));
            c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
            c.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":{\"no\":1}}}");
            assertEquals(3, c.request(3, "ping", null).get("id").asInt());
        }
    }

    @Test
    void concurrencyCap_refusesBeyondTheLimit_acrossConnections() throws Exception {
        TestTools.Blocker b = new TestTools.Blocker();
        try (Harness h = new Harness(dir, ToolRegistry.of(b.tool("block")),
                x -> x.limits(GatewayLimits.builder().maxConcurrentCalls(2).build()), "block");
             RawClient c = h.client(); RawClient d = h.client()) {
            c.sendCall(1, "block", "{}");
            d.sendCall(1, "block", "{}");
            waitFor(() -> b.started.get() == 2, "two calls to run");
            JsonNode third = c.call(2, "block", "{}");
            assertTrue(RawClient.isError(third));
            assertEquals("too many concurrent calls (at most 2 per agent)", RawClient.text(third));
            b.release.countDown();
            assertEquals("released", RawClient.text(c.next()));
            assertEquals("released", RawClient.text(d.next()));
            h.awaitRecords(3);
            assertTrue(h.records.stream().anyMatch(r -> r.decision().equals("busy")));
        }
    }

    @Test
    void stuckToolKeepsItsSlotAfterTimingOut() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Tool stuck = TestTools.tool("stuck", TestTools.ANY, java.util.Optional.empty(), call -> {
            while (true) { // ignores its token and interrupts, like a tool stuck in a syscall
                try {
                    if (release.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        return ToolResult.text("late");
                    }
                } catch (InterruptedException e) {
                    // ignored on purpose
                }
            }
        });
        try (Harness h = new Harness(dir, ToolRegistry.of(stuck, TestTools.echo()),
                x -> x.limits(GatewayLimits.builder().maxConcurrentCalls(1).callTimeout(Duration.ofMillis(100)).build()),
                "stuck", "echo");
             RawClient c = h.client()) {
            assertEquals("timed out after 100ms", RawClient.text(c.call(1, "stuck", "{}")));
            assertEquals("too many concurrent calls (at most 1 per agent)", RawClient.text(c.call(2, "echo", "{\"text\":\"x\"}")));
            release.countDown();
            waitFor(() -> h.gateway.callsInFlight() == 0, "the stuck tool to return");
            assertEquals("x", RawClient.text(c.call(3, "echo", "{\"text\":\"x\"}")));
            assertNull(c.nextLine(100), "the late result is dropped");
        }
    }

    @Test
    void agentRate_isATokenBucketOverAllTools() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo(), TestTools.add()),
                x -> x.limits(GatewayLimits.builder().agentRate(Rate.parse("3/h")).build()), "echo", "add");
             RawClient c = h.client()) {
            assertFalse(RawClient.isError(c.call(1, "echo", "{\"text\":\"1\"}")));
            assertFalse(RawClient.isError(c.call(2, "add", "{\"a\":1,\"b\":1}")));
            assertFalse(RawClient.isError(c.call(3, "echo", "{\"text\":\"3\"}")));
            JsonNode r = c.call(4, "add", "{\"a\":1,\"b\":1}");
            assertTrue(RawClient.isError(r));
            assertEquals("rate limit exceeded: at most 3/h calls for this agent", RawClient.text(r));
            assertEquals(3, h.auth.authorizeCalls.get(), "a rate-limited call consumes no grant invocation");
            assertEquals("{}", c.request(5, "ping", null).get("result").toString(), "only calls are limited");
        }
    }

    @Test
    void toolRate_limitsOneToolOnly() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo(), TestTools.add()),
                x -> x.limits(GatewayLimits.builder().toolRate("add", Rate.parse("1/h")).build()), "echo", "add");
             RawClient c = h.client()) {
            assertFalse(RawClient.isError(c.call(1, "add", "{\"a\":1,\"b\":1}")));
            assertEquals("rate limit exceeded: at most 1/h calls of add", RawClient.text(c.call(2, "add", "{\"a\":1,\"b\":1}")));
            assertFalse(RawClient.isError(c.call(3, "echo", "{\"text\":\"free\"}")));
        }
    }

    @Test
    void resultCap_turnsALargeResultIntoAnError() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.big()),
                x -> x.limits(GatewayLimits.builder().maxResultBytes(1000).build()), "big");
             RawClient c = h.client()) {
            assertFalse(RawClient.isError(c.call(1, "big", "{\"n\":900}")));
            JsonNode r = c.call(2, "big", "{\"n\":2000}");
            assertTrue(RawClient.isError(r));
            assertTrue(RawClient.text(r).startsWith("result too large: 2"), RawClient.text(r));
            h.awaitRecords(2);
            assertTrue(h.records.get(1).resultBytes() > 2000);
            assertEquals("allowed", h.records.get(1).decision());
        }
    }

    @Test
    void maxConnections_refusesTheExtraOnes_withAReason() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                x -> x.limits(GatewayLimits.builder().maxConnections(3).build()), "echo")) {
            List<RawClient> open = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    RawClient c = h.client();
                    open.add(c);
                    c.request(1, "ping", null);
                }
                try (RawClient extra = h.client()) {
                    JsonNode r = extra.next();
                    assertEquals(-32000, r.at("/error/code").asInt());
                    assertEquals("too many connections (at most 3)", r.at("/error/message").asText());
                    assertTrue(extra.closedWithin(2000));
                }
                assertEquals(List.of("too many connections (at most 3)"), h.refusals);
                open.remove(0).close();
                waitFor(() -> h.gateway.connectionCount() == 2, "the closed connection to be dropped");
                try (RawClient again = h.client()) {
                    assertEquals("{}", again.request(1, "ping", null).get("result").toString());
                }
            } finally {
                for (RawClient c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void clientThatNeverReads_isDisconnected_notBuffered() throws Exception {
        try (Harness h = new Harness(dir, ToolRegistry.of(TestTools.echo()),
                x -> x.limits(GatewayLimits.builder().maxResultBytes(1024).maxOutboundBytes(4096).build()), "echo");
             java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                     java.net.UnixDomainSocketAddress.of(h.socket()))) {
            byte[] ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\n".getBytes();
            ch.configureBlocking(false);
            // Never read: the answers fill both socket buffers, then the gateway's queue.
            long end = System.currentTimeMillis() + 10_000;
            boolean dropped = false;
            while (System.currentTimeMillis() < end) {
                try {
                    ch.write(java.nio.ByteBuffer.wrap(ping));
                } catch (java.io.IOException e) {
                    dropped = true; // EPIPE / reset: the gateway closed us
                    break;
                }
                if (h.gateway.connectionCount() == 0) {
                    dropped = true;
                    break;
                }
            }
            assertTrue(dropped, "the gateway must drop a client that does not read");
            try (RawClient other = h.client()) {
                assertEquals("{}", other.request(1, "ping", null).get("result").toString());
            }
        }
    }

    @Test
    void halfClosedClient_getsItsRunningCallsAnswered() throws Exception {
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        Tool slow = TestTools.tool("slow", TestTools.ANY, java.util.Optional.empty(), call -> {
            try {
                go.await();
            } catch (InterruptedException e) {
                throw new ToolException("interrupted");
            }
            return ToolResult.text("done");
        });
        try (Harness h = new Harness(dir, ToolRegistry.of(slow), "slow"); RawClient c = h.client()) {
            c.sendCall(1, "slow", "{}");
            c.ch.shutdownOutput();
            Thread.sleep(100);
            go.countDown();
            assertEquals("done", RawClient.text(c.next()));
            assertTrue(c.closedWithin(2000));
        }
    }

    @Test
    void limits_validateTheirValues() {
        assertThrows(IllegalArgumentException.class, () -> GatewayLimits.builder().maxConcurrentCalls(0).build());
        assertThrows(IllegalArgumentException.class, () -> GatewayLimits.builder().callTimeout(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class,
                () -> GatewayLimits.builder().maxResultBytes(4096).maxOutboundBytes(4096).build());
        GatewayLimits d = GatewayLimits.defaults();
        assertEquals(1 << 20, d.maxMessageBytes());
        assertEquals(8, d.maxConcurrentCalls());
        assertEquals(Duration.ofSeconds(30), d.callTimeout());
        assertEquals(1 << 20, d.maxResultBytes());
        assertEquals(16, d.maxConnections());
        assertEquals(64, d.maxNestingDepth());
        assertEquals(Set.of(), new HashSet<>(d.toolRates().keySet()));
        assertEquals(d, d.toBuilder().build());
    }
}
