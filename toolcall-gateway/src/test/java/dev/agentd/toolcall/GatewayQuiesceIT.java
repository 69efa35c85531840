package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's quiesce ({@link Gateway#closeIdleConnections}) against real
 * kernel sockets in every state a client's connection can be in on agentd's
 * side: admitted, accepted by the shared {@link Acceptor} but not admitted, and
 * still in the listening socket's kernel backlog (connect() returned in the
 * client, nothing accepted it). The test is the frozen agent: it makes no new
 * connection while the quiesce runs. Only CRIU is absent; what it would refuse
 * ("External socket is used") is any of these left open on agentd's side.
 */
class GatewayQuiesceIT {
    @TempDir
    Path dir;

    /** Peer-credential reads block while the gate is shut, for the first {@code blockFirst} connections. */
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicInteger blocked = new AtomicInteger();
    private volatile int blockFirst;
    private Acceptor acceptor;
    private Gateway gateway;
    private final List<RawClient> clients = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        acceptor = Acceptor.start();
        PeerCredentialsReader real = PeerCredentialsReader.JDK;
        PeerCredentialsReader gated = new PeerCredentialsReader() {
            @Override
            public PeerCredentials read(SocketChannel ch) throws IOException {
                if (reads.incrementAndGet() <= blockFirst) {
                    blocked.incrementAndGet();
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return real.read(ch);
            }

            @Override
            public boolean reportsPid() {
                return false;
            }
        };
        FakeAuthorizer auth = new FakeAuthorizer();
        auth.grant("echo");
        GatewayConfig cfg = GatewayConfig.builder("agent-q", dir.resolve("toolcall.sock"), Harness.myUid(dir))
                .peerCredentials(gated).build();
        gateway = Gateway.open(cfg, ToolRegistry.of(TestTools.echo()), auth, new CallListener() {
            @Override
            public void onCall(CallRecord record) {
            }
        }, acceptor);
    }

    @AfterEach
    void close() throws IOException {
        gate.countDown();
        for (RawClient c : clients) {
            c.ch.close();
        }
        gateway.close();
        acceptor.close();
    }

    private RawClient connect() throws IOException {
        RawClient c = new RawClient(gateway.socketPath());
        clients.add(c);
        return c;
    }

    /**
     * Fills the listener: two connections accepted whose admission hangs (one
     * reading its peer's credentials, one waiting for the gateway's admission
     * lock), so the acceptor takes no more: later ones stay in the backlog.
     */
    private void twoStuckInAdmission() throws Exception {
        blockFirst = 1;
        connect();
        connect();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (blocked.get() < 1 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, blocked.get(), "the acceptor never took the first connection");
        Thread.sleep(200); // the second is accepted meanwhile, and waits for the lock
    }

    /** Opens the gate a moment after the quiesce began: it takes the backlog after the stuck admissions. */
    private void openGateSoon() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            gate.countDown();
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void connectionsInTheBacklogAndInAdmissionAreTakenAndClosed() throws Exception {
        twoStuckInAdmission();
        // Connected (the kernel completed it into the backlog), never accepted.
        RawClient inBacklog = connect();
        Thread.sleep(100);
        assertEquals(0, gateway.connectionCount());

        assertTrue(gateway.hold(Duration.ofSeconds(5)));
        openGateSoon();
        int busy = gateway.closeIdleConnections("checkpoint");

        assertEquals(0, busy, "a connection is still open on agentd's side");
        assertEquals(0, gateway.connectionCount());
        assertTrue(inBacklog.closedWithin(5000), "the connection from the backlog was left open on agentd's side");
        for (RawClient c : clients.subList(0, 2)) {
            assertTrue(c.closedWithin(5000), "a connection that was being admitted was left open on agentd's side");
        }
        gateway.release();
    }

    @Test
    void aRequestWaitingInTheBacklogIsBusy_andAnsweredAfterTheRelease() throws Exception {
        twoStuckInAdmission();
        RawClient withRequest = connect();
        withRequest.sendCall(7, "echo", "{\"text\":\"from the backlog\"}");
        Thread.sleep(100);

        assertTrue(gateway.hold(Duration.ofSeconds(5)));
        openGateSoon();
        int busy = gateway.closeIdleConnections("checkpoint");

        assertEquals(1, busy, "the connection with a request in it is busy; the two quiet ones are closed");
        assertFalse(withRequest.closedWithin(200), "a connection with a request in it was closed: the request is lost");
        gateway.release();
        assertEquals("from the backlog", RawClient.text(withRequest.next()));
    }

    @Test
    void idleAdmittedConnectionsAreClosed_andTheClientsReconnect() throws Exception {
        RawClient a = connect();
        assertEquals("x", RawClient.text(a.call(1, "echo", "{\"text\":\"x\"}")));

        assertTrue(gateway.hold(Duration.ofSeconds(5)));
        assertEquals(0, gateway.closeIdleConnections("checkpoint"));
        assertTrue(a.closedWithin(5000));
        gateway.release();

        RawClient b = connect();
        assertEquals("y", RawClient.text(b.call(2, "echo", "{\"text\":\"y\"}")));
    }
}
