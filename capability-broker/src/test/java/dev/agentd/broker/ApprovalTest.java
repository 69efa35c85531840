package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalTest {
    private static final Principal ADMIN = Principal.admin(0);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final String H1 = "a".repeat(64);
    private static final String H2 = "b".repeat(64);

    @TempDir
    Path dir;
    MutableClock clock;
    RecordingListener events;
    Broker broker;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        events = new RecordingListener();
        broker = Broker.open(dir.resolve("agentd.db"), clock, events);
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(GrantKind.TOOL, "file_write")));
        broker.registerAgent("b", null, ADMIN, List.of());
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private ApprovalRequest request() {
        return broker.requestApproval("a", "file_write", H1, "{\"path\":\"/data/x\"}", Duration.ofMinutes(5));
    }

    @Test
    void requestApproval_isPendingWithAShortId() {
        ApprovalRequest r = request();
        assertTrue(r.id().matches("[2-9a-z]{8}"), r.id());
        assertEquals(ApprovalState.PENDING, r.state());
        assertEquals(T0.plus(Duration.ofMinutes(5)), r.expiresAt());
        assertEquals(List.of(r), broker.pendingApprovals());
        assertEquals(BrokerEvent.Type.APPROVAL_REQUESTED, events.events.get(events.events.size() - 1).type());
    }

    @Test
    void consumeApproval_isSingleUseAndBoundToAgentToolAndArgs() throws Exception {
        ApprovalRequest r = request();
        assertFalse(broker.consumeApproval(r.id(), "a", "file_write", H1), "not approved yet");
        ApprovalRequest approved = broker.approve(r.id(), ADMIN);
        assertEquals(ApprovalState.APPROVED, approved.state());
        assertEquals(ApprovalOutcome.APPROVED, broker.await(r.id(), Duration.ZERO));
        assertEquals(List.of(), broker.pendingApprovals());

        assertFalse(broker.consumeApproval(r.id(), "a", "file_write", H2), "other arguments");
        assertFalse(broker.consumeApproval(r.id(), "b", "file_write", H1), "other agent");
        assertFalse(broker.consumeApproval(r.id(), "a", "file_read", H1), "other tool");
        assertFalse(broker.consumeApproval("nope", "a", "file_write", H1), "unknown id");
        assertTrue(broker.consumeApproval(r.id(), "a", "file_write", H1.toUpperCase()));
        assertFalse(broker.consumeApproval(r.id(), "a", "file_write", H1), "used already");
        assertEquals(ApprovalState.CONSUMED, broker.approval(r.id()).orElseThrow().state());

        BrokerEvent approvedEvent = events.ofType(BrokerEvent.Type.APPROVED).get(0);
        assertEquals("admin:0", approvedEvent.details().get("by"));
        assertEquals(1, events.ofType(BrokerEvent.Type.APPROVAL_CONSUMED).size());
    }

    @Test
    void deny_recordsWhoAndCannotBeConsumed() throws Exception {
        ApprovalRequest r = request();
        broker.deny(r.id(), Principal.admin(42));
        assertEquals(ApprovalOutcome.DENIED, broker.await(r.id(), Duration.ofSeconds(1)));
        assertFalse(broker.consumeApproval(r.id(), "a", "file_write", H1));
        assertEquals("admin:42", events.ofType(BrokerEvent.Type.DENIED_APPROVAL).get(0).details().get("by"));
        assertThrows(IllegalStateException.class, () -> broker.approve(r.id(), ADMIN), "decided once");
    }

    @Test
    void approve_byAnAgent_isNotPermitted() {
        ApprovalRequest r = request();
        assertThrows(NotPermittedException.class, () -> broker.approve(r.id(), Principal.agent("a")));
        assertThrows(NotPermittedException.class, () -> broker.deny(r.id(), Principal.agent("a")));
        assertThrows(NoSuchElementException.class, () -> broker.approve("zzzzzzzz", ADMIN));
    }

    @Test
    void requestApproval_expires() throws Exception {
        ApprovalRequest r = request();
        clock.advance(Duration.ofMinutes(5));
        assertEquals(ApprovalOutcome.EXPIRED, broker.await(r.id(), Duration.ofSeconds(5)));
        assertEquals(List.of(), broker.pendingApprovals());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> broker.approve(r.id(), ADMIN));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
    }

    @Test
    void consumeApproval_afterExpiry_isRefusedEvenIfApproved() {
        ApprovalRequest r = request();
        broker.approve(r.id(), ADMIN);
        clock.advance(Duration.ofMinutes(6));
        assertFalse(broker.consumeApproval(r.id(), "a", "file_write", H1));
    }

    @Test
    void await_timesOutWithoutADecision() throws Exception {
        ApprovalRequest r = request();
        long start = System.nanoTime();
        assertEquals(ApprovalOutcome.TIMED_OUT, broker.await(r.id(), Duration.ofMillis(150)));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(waited >= 150 && waited < 5_000, waited + " ms");
        assertEquals(ApprovalState.PENDING, broker.approval(r.id()).orElseThrow().state());
        assertThrows(NoSuchElementException.class, () -> broker.await("nope", Duration.ZERO));
    }

    @Test
    void await_wakesWhenApprovedOnAnotherThread() throws Exception {
        ApprovalRequest r = request();
        CompletableFuture<ApprovalOutcome> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                return broker.await(r.id(), Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertFalse(outcome.isDone());
        long start = System.nanoTime();
        broker.approve(r.id(), ADMIN);
        assertEquals(ApprovalOutcome.APPROVED, outcome.get(5, TimeUnit.SECONDS));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 2_000);
    }

    @Test
    void pendingApprovals_surviveAReopenAndCanBeApproved() {
        ApprovalRequest r = request();
        broker.close();
        broker = Broker.open(dir.resolve("agentd.db"), clock, events);
        assertEquals(List.of(r), broker.pendingApprovals());
        broker.approve(r.id(), ADMIN);
        broker.close();
        broker = Broker.open(dir.resolve("agentd.db"), clock, events);
        assertTrue(broker.consumeApproval(r.id(), "a", "file_write", H1));
    }

    @Test
    void requestApproval_validatesItsInput() {
        assertThrows(IllegalArgumentException.class, () -> broker.requestApproval("a", "t", "xyz", "", Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> broker.requestApproval("a", "t", H1, "", Duration.ZERO));
        assertThrows(NoSuchElementException.class, () -> broker.requestApproval("nobody", "t", H1, "", Duration.ofSeconds(1)));
        ApprovalRequest r = broker.requestApproval("a", "t", H1, "x".repeat(5000), Duration.ofSeconds(1));
        assertTrue(r.preview().length() < 2100);
    }
}
