package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyTest {
    @TempDir
    Path dir;

    private final List<String> sent = new CopyOnWriteArrayList<>();

    @Test
    void ready_sendsReadyAndTheRunningCount() {
        new Notify(sent::add, () -> 3).ready();
        assertEquals(List.of("READY=1\nSTATUS=agentd ready: 3 agents running"), sent);
    }

    @Test
    void status_singularForOne() {
        assertEquals("agentd ready: 1 agent running", Notify.status(1));
        assertEquals("agentd ready: 0 agents running", Notify.status(0));
    }

    @Test
    void ready_socketNotAnswering_isStillReadyAndSaysWhy() {
        new Notify(sent::add, () -> {
            throw new IOException("connection refused");
        }).ready();
        assertEquals(List.of("READY=1\nSTATUS=agentd started, but its admin socket does not answer: connection refused"), sent);
    }

    @Test
    void ping_healthy_sendsWatchdogWithAFreshStatus() {
        AtomicInteger running = new AtomicInteger(2);
        Notify n = new Notify(sent::add, running::get);
        n.ping();
        running.set(5);
        n.ping();
        assertEquals(List.of("WATCHDOG=1\nSTATUS=agentd ready: 2 agents running",
                "WATCHDOG=1\nSTATUS=agentd ready: 5 agents running"), sent);
    }

    @Test
    void ping_unhealthy_withholdsTheWatchdog() {
        new Notify(sent::add, () -> {
            throw new IOException("timed out");
        }).ping();
        assertEquals(List.of("STATUS=agentd is not answering on its admin socket: timed out"), sent);
    }

    @Test
    void stopping_sendsStoppingAndEndsTheWatchdog() throws Exception {
        Notify n = new Notify(sent::add, () -> 0);
        n.startWatchdog(Duration.ofMillis(20));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sent.stream().filter(s -> s.startsWith("WATCHDOG=1")).count() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(sent.stream().filter(s -> s.startsWith("WATCHDOG=1")).count() >= 2, sent.toString());
        n.stopping();
        Thread t = n.watchdogThread().orElseThrow();
        t.join(5000);
        assertFalse(t.isAlive());
        assertEquals(Notify.STOPPING, sent.get(sent.size() - 1));
        assertTrue(Notify.STOPPING.startsWith("STOPPING=1\n"));
        int before = sent.size();
        n.ping();
        assertEquals(before, sent.size(), "no watchdog ping after STOPPING=1");
    }

    @Test
    void send_failure_doesNotThrow() {
        Notify n = new Notify(s -> {
            throw new IOException("sendto failed");
        }, () -> 0);
        n.ready();
        n.ping();
        n.stopping();
    }

    @Test
    void pingPeriod_isHalfTheInterval() {
        assertEquals(Duration.ofSeconds(30), Notify.pingPeriod(Duration.ofSeconds(60)));
        assertEquals(Duration.ofMillis(10), Notify.pingPeriod(Duration.ofMillis(4)));
    }

    @Test
    void selfCheck_asksDaemonStatusOverTheSocket() throws Exception {
        Path sock = dir.resolve("agentd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = new Thread(() -> answer(server, "{\"jsonrpc\":\"2.0\",\"id\":\"watchdog\",\"result\":{\"agents_running\":4}}\n"));
            t.start();
            assertEquals(4, Notify.selfCheck(sock));
            t.join();
            assertEquals("{\"jsonrpc\":\"2.0\",\"id\":\"watchdog\",\"method\":\"daemon.status\"}", request);
        }
    }

    @Test
    void selfCheck_errorReply_throws() throws Exception {
        Path sock = dir.resolve("agentd.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            Thread t = new Thread(() -> answer(server,
                    "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32001,\"message\":\"permission denied\"}}\n"));
            t.start();
            IOException e = assertThrows(IOException.class, () -> Notify.selfCheck(sock));
            assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
            t.join();
        }
    }

    @Test
    void selfCheck_noDaemon_throws() {
        assertThrows(IOException.class, () -> Notify.selfCheck(dir.resolve("missing.sock")));
    }

    private volatile String request;

    private void answer(ServerSocketChannel server, String reply) {
        try (SocketChannel c = server.accept()) {
            InputStream in = Channels.newInputStream(c);
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                sb.append((char) b);
            }
            request = sb.toString();
            c.write(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}
