package dev.agentd.broker;

import static dev.agentd.broker.GrantKind.FILE_READ;
import static dev.agentd.broker.GrantKind.TOOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerTest {
    private static final Principal ADMIN = Principal.admin(1000);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;
    Path dbFile;
    MutableClock clock;
    RecordingListener events;
    Broker broker;

    @BeforeEach
    void open() {
        dbFile = dir.resolve("agentd.db");
        clock = new MutableClock(T0);
        events = new RecordingListener();
        broker = Broker.open(dbFile, clock, events);
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private static String reason(Decision d) {
        return assertInstanceOf(Decision.Denied.class, d).reason();
    }

    private GrantStatus status(String agent, long grantId) {
        return broker.grants(agent).stream().filter(s -> s.grant().id() == grantId).findFirst().orElseThrow();
    }

    // ---- authorize

    @Test
    void authorize_noGrant_saysWhat() {
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertEquals("no grant for tool \"rm\"", reason(broker.authorize("a", TOOL, "rm")));
        assertTrue(reason(broker.authorize("nobody", TOOL, "echo")).contains("unknown agent"));
    }

    @Test
    void authorize_malformedValue_isDeniedNotThrown() {
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(FILE_READ, "/data/**")));
        assertTrue(reason(broker.authorize("a", FILE_READ, "/data/../etc/passwd")).contains(".."));
        assertTrue(reason(broker.authorize("a", FILE_READ, "data/x")).contains("relative"));
        assertTrue(reason(broker.authorize("a", FILE_READ, "/data/x\0")).contains("NUL"));
        assertFalse(broker.authorize("a", FILE_READ, null).isAllowed());
        assertFalse(broker.authorize("a", FILE_READ, "/database").isAllowed());
        assertTrue(broker.authorize("a", FILE_READ, "/data//x/./y").isAllowed());
    }

    @Test
    void authorize_picksTheMostSpecificCoveringGrant() {
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(FILE_READ, "/a/**"),
                GrantRequest.of(FILE_READ, "/a/b/**").withMaxInvocations(1), GrantRequest.of(FILE_READ, "/a/b/c")));
        assertEquals(g.get(2), ((Decision.Allowed) broker.authorize("a", FILE_READ, "/a/b/c")).grant());
        assertEquals(g.get(1), ((Decision.Allowed) broker.authorize("a", FILE_READ, "/a/b/d")).grant());
        assertEquals(g.get(0), ((Decision.Allowed) broker.authorize("a", FILE_READ, "/a/x")).grant());
        // The narrower grant is used up; grants add up, so the broader one still allows the call.
        assertEquals(g.get(0), ((Decision.Allowed) broker.authorize("a", FILE_READ, "/a/b/d")).grant());
    }

    @Test
    void check_consumesNothingAndEmitsNothing() {
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(1)));
        int before = events.events.size();
        for (int i = 0; i < 5; i++) {
            assertTrue(broker.check("a", TOOL, "echo").isAllowed());
        }
        assertEquals(before, events.events.size());
        assertEquals(0, status("a", g.get(0).id()).usedInvocations());
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertFalse(broker.check("a", TOOL, "echo").isAllowed());
    }

    // ---- counters

    @Test
    void authorize_childCallConsumesTheParentsBudget() {
        List<Grant> pg = broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(5)));
        List<Grant> cg = broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        assertEquals(pg.get(0).id(), cg.get(0).parentGrantId().getAsLong());
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        }
        GrantStatus ps = status("p", pg.get(0).id());
        assertEquals(3, ps.usedInvocations());
        assertEquals(OptionalLong.of(2), ps.remainingInvocations());
        assertEquals(OptionalLong.of(2), status("c", cg.get(0).id()).remainingInvocations());
        assertTrue(broker.authorize("p", TOOL, "echo").isAllowed());
        assertTrue(broker.authorize("p", TOOL, "echo").isAllowed());
        // The parent's budget is gone: the child stops too.
        String why = reason(broker.authorize("c", TOOL, "echo"));
        assertTrue(why.startsWith("grant " + pg.get(0).id() + " exhausted: 5 of 5 invocations used"), why);
        assertTrue(why.contains("grant " + cg.get(0).id() + " was narrowed from it"), why);
        assertEquals(GrantStatus.State.EXHAUSTED, status("c", cg.get(0).id()).state());
    }

    @Test
    void authorize_childsOwnLimitStopsOnlyTheChild() {
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(5)));
        List<Grant> cg = broker.registerAgent("c", "p", Principal.agent("p"),
                List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(2)));
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        assertEquals("grant " + cg.get(0).id() + " exhausted: 2 of 2 invocations used",
                reason(broker.authorize("c", TOOL, "echo")));
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("p", TOOL, "echo").isAllowed());
        }
        assertFalse(broker.authorize("p", TOOL, "echo").isAllowed());
    }

    @Test
    void authorize_concurrentThreads_consumeExactlyTheBudget() throws Exception {
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(1000)));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String agent = t % 2 == 0 ? "p" : "c";
                Callable<Integer> worker = () -> {
                    start.await();
                    int allowed = 0;
                    // Each thread tries far more than its share; only the budget may limit them.
                    for (int i = 0; i < 400; i++) {
                        if (broker.authorize(agent, TOOL, "echo").isAllowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                };
                results.add(pool.submit(worker));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            assertEquals(1000, total);
            assertEquals(1000, broker.grants("p").get(0).usedInvocations());
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- revocation

    @Test
    void revoke_cascadesThroughThreeGenerations() {
        List<Grant> a = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(FILE_READ, "/data/**"),
                GrantRequest.of(TOOL, "echo")));
        broker.registerAgent("b", "a", Principal.agent("a"), List.of(GrantRequest.of(FILE_READ, "/data/x/**")));
        broker.registerAgent("c", "b", Principal.agent("b"), List.of(GrantRequest.of(FILE_READ, "/data/x/y/**")));
        List<Grant> d = broker.registerAgent("d", "c", Principal.agent("c"), List.of(GrantRequest.of(FILE_READ, "/data/x/y/z")));
        assertTrue(broker.authorize("d", FILE_READ, "/data/x/y/z").isAllowed());

        Set<String> affected = broker.revoke(a.get(0).id(), ADMIN);

        assertEquals(List.of("a", "b", "c", "d"), List.copyOf(affected));
        String why = reason(broker.authorize("d", FILE_READ, "/data/x/y/z"));
        assertTrue(why.contains("revoked"), why);
        for (String agent : List.of("b", "c", "d")) {
            GrantStatus s = broker.grants(agent).get(0);
            assertTrue(s.grant().revoked(), agent + " grant marked revoked, not only unusable");
            assertEquals(GrantStatus.State.REVOKED, s.state());
        }
        // The other grant of a is untouched.
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertEquals(4, events.ofType(BrokerEvent.Type.REVOKED).size());
        // Revoking again changes nothing.
        assertEquals(Set.of(), broker.revoke(a.get(0).id(), ADMIN));
        assertEquals(d.get(0).id(), broker.grants("d").get(0).grant().id());
    }

    @Test
    void revoke_inTheMiddleSparesTheAncestor() {
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        List<Grant> b = broker.registerAgent("b", "a", Principal.agent("a"), List.of(GrantRequest.of(TOOL, "echo")));
        broker.registerAgent("c", "b", Principal.agent("b"), List.of(GrantRequest.of(TOOL, "echo")));
        assertEquals(Set.of("b", "c"), broker.revoke(b.get(0).id(), Principal.agent("a")));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertFalse(broker.authorize("c", TOOL, "echo").isAllowed());
    }

    @Test
    void revoke_byAgent_onlyItsOwnSubtree() {
        List<Grant> a = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        broker.registerAgent("b", "a", Principal.agent("a"), List.of(GrantRequest.of(TOOL, "echo")));
        List<Grant> c = broker.registerAgent("c", "b", Principal.agent("b"), List.of(GrantRequest.of(TOOL, "echo")));
        NotPermittedException e = assertThrows(NotPermittedException.class,
                () -> broker.revoke(a.get(0).id(), Principal.agent("b")));
        assertTrue(e.getMessage().startsWith("agent:b may not revoke grant " + a.get(0).id()), e.getMessage());
        assertEquals(Set.of("c"), broker.revoke(c.get(0).id(), Principal.agent("a")));
        assertThrows(java.util.NoSuchElementException.class, () -> broker.revoke(999, ADMIN));
    }

    // ---- expiry and rate

    @Test
    void authorize_expiresByTheClock() {
        Instant end = T0.plusSeconds(10);
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withExpiresAt(end)));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        clock.advance(Duration.ofSeconds(9));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        clock.advance(Duration.ofSeconds(1));
        assertEquals("grant " + g.get(0).id() + " expired at " + end, reason(broker.authorize("a", TOOL, "echo")));
        assertEquals(GrantStatus.State.EXPIRED, broker.grants("a").get(0).state());
    }

    @Test
    void authorize_parentExpiryBindsChildWithoutOwnExpiry() {
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withExpiresAt(T0.plusSeconds(5))));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        assertEquals(java.util.Optional.of(T0.plusSeconds(5)), broker.grants("c").get(0).effectiveExpiresAt());
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(reason(broker.authorize("c", TOOL, "echo")).contains("expired"));
    }

    @Test
    void authorize_rateIsATokenBucket() {
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withRate(Rate.parse("3/m"))));
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("a", TOOL, "echo").isAllowed(), "burst " + i);
        }
        String why = reason(broker.authorize("a", TOOL, "echo"));
        assertTrue(why.startsWith("grant " + g.get(0).id() + ": rate 3/m exceeded"), why);
        clock.advance(Duration.ofSeconds(19));
        assertFalse(broker.authorize("a", TOOL, "echo").isAllowed());
        clock.advance(Duration.ofSeconds(1));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertFalse(broker.authorize("a", TOOL, "echo").isAllowed());
        clock.advance(Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("a", TOOL, "echo").isAllowed(), "refilled, capped at 3: " + i);
        }
        assertFalse(broker.authorize("a", TOOL, "echo").isAllowed());
    }

    @Test
    void authorize_parentRateLimitsChildren() {
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withRate(Rate.parse("2/m"))));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        assertTrue(reason(broker.authorize("c", TOOL, "echo")).contains("rate 2/m exceeded"));
        assertFalse(broker.authorize("p", TOOL, "echo").isAllowed());
        // A denied call takes no token.
        clock.advance(Duration.ofSeconds(30));
        assertTrue(broker.authorize("p", TOOL, "echo").isAllowed());
    }

    // ---- persistence

    @Test
    void reopen_keepsGrantsCountersRatesAndRevocations() {
        List<Grant> g = broker.registerAgent("p", null, ADMIN, List.of(
                GrantRequest.of(TOOL, "echo").withMaxInvocations(5),
                GrantRequest.of(TOOL, "slow").withRate(Rate.parse("1/h")),
                GrantRequest.of(TOOL, "gone")));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        }
        assertTrue(broker.authorize("p", TOOL, "slow").isAllowed());
        broker.revoke(g.get(2).id(), ADMIN);
        List<GrantStatus> before = broker.grants("p");
        broker.close();

        broker = Broker.open(dbFile, clock, events);
        assertEquals(before, broker.grants("p"));
        assertEquals(g.get(0), broker.grants("p").get(0).grant());
        assertEquals(OptionalLong.of(2), broker.grants("c").get(0).remainingInvocations());
        assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        assertTrue(broker.authorize("p", TOOL, "echo").isAllowed());
        assertFalse(broker.authorize("c", TOOL, "echo").isAllowed());
        assertTrue(reason(broker.authorize("p", TOOL, "slow")).contains("rate 1/h exceeded"), "a restart does not refill");
        assertTrue(reason(broker.authorize("p", TOOL, "gone")).contains("revoked"));
        assertEquals(List.of(Principal.agent("c"), Principal.agent("p"), ADMIN), broker.chain("c"));
    }

    /** What a kill -9 leaves: the database as last committed, nothing flushed from memory. */
    private void crash() throws Exception {
        broker.connection().close();
        broker = Broker.open(dbFile, clock, events);
    }

    private long usedInTheDatabase(long grantId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             ResultSet rs = c.createStatement().executeQuery("SELECT used FROM broker_grants WHERE id = " + grantId)) {
            return rs.getLong(1);
        }
    }

    @Test
    void authorize_reservesInvocationsInBlocksAhead() throws Exception {
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(100)));
        assertEquals(0, usedInTheDatabase(g.get(0).id()));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertEquals(6, usedInTheDatabase(g.get(0).id()), "a block of 100/16 committed before the first call");
        for (int i = 0; i < 5; i++) {
            assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        }
        assertEquals(6, usedInTheDatabase(g.get(0).id()), "calls inside the block commit nothing");
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
        assertEquals(12, usedInTheDatabase(g.get(0).id()));
        assertEquals(7, status("a", g.get(0).id()).usedInvocations(), "the exact count, from memory");
        broker.close();
        assertEquals(7, usedInTheDatabase(g.get(0).id()), "a clean close writes the exact count");
        broker = Broker.open(dbFile, clock, events);
    }

    @Test
    void crash_neverLetsABudgetBeExceeded() throws Exception {
        List<Grant> p = broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(100)));
        List<Grant> c = broker.registerAgent("c", "p", Principal.agent("p"),
                List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(40)));
        int byParent = 0;
        int byChild = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 1 + round % 9; i++) {
                if (broker.authorize("p", TOOL, "echo").isAllowed()) {
                    byParent++;
                }
                if (broker.authorize("c", TOOL, "echo").isAllowed()) {
                    byChild++;
                }
            }
            crash();
            // What the restarted broker counts is never below what was handed out.
            assertTrue(status("p", p.get(0).id()).usedInvocations() >= byParent + byChild);
            assertTrue(status("c", c.get(0).id()).usedInvocations() >= byChild);
        }
        assertTrue(byChild <= 40, "child: " + byChild);
        assertTrue(byParent + byChild <= 100, "parent chain: " + (byParent + byChild));
        assertFalse(broker.authorize("p", TOOL, "echo").isAllowed(), "used up (some of it lost to the crashes)");
    }

    @Test
    void crash_doesNotRefillARateBucket() throws Exception {
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "slow").withRate(Rate.parse("2/h"))));
        assertTrue(broker.authorize("a", TOOL, "slow").isAllowed());
        assertTrue(broker.authorize("a", TOOL, "slow").isAllowed());
        crash();
        assertTrue(reason(broker.authorize("a", TOOL, "slow")).contains("rate 2/h exceeded"));
    }

    @Test
    void open_sharesTheFileWithOtherTables() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS agents (id TEXT PRIMARY KEY)");
            s.execute("INSERT INTO agents VALUES ('x')");
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                List<String> tables = new ArrayList<>();
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
                assertTrue(tables.stream().filter(t -> !t.equals("agents") && !t.startsWith("sqlite_"))
                        .allMatch(t -> t.startsWith("broker_")), tables.toString());
            }
            try (ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
                assertEquals("wal", rs.getString(1));
            }
        }
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        assertTrue(broker.authorize("a", TOOL, "echo").isAllowed());
    }

    @Test
    void open_refusesANewerSchema() throws Exception {
        broker.close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile); Statement s = c.createStatement()) {
            s.execute("UPDATE broker_meta SET value = '99' WHERE key = 'schema_version'");
        }
        BrokerException e = assertThrows(BrokerException.class, () -> Broker.open(dbFile, clock, events));
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        broker = Broker.open(dir.resolve("other.db"), clock, events);
    }

    // ---- agents

    @Test
    void chain_goesFromTheAgentUpToTheAdmin() {
        broker.registerAgent("a", null, ADMIN, List.of());
        broker.registerAgent("b", "a", Principal.agent("a"), List.of());
        broker.registerAgent("c", "b", ADMIN, List.of());
        assertEquals(List.of(Principal.agent("c"), Principal.agent("b"), Principal.agent("a"), ADMIN), broker.chain("c"));
        assertEquals(List.of(Principal.agent("a"), ADMIN), broker.chain("a"));
    }

    @Test
    void forgetAgent_keepsRowsAndChildrenKeepCounting() {
        List<Grant> p = broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(3)));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        assertTrue(broker.forgetAgent("p"));
        assertFalse(broker.forgetAgent("p"));
        assertTrue(reason(broker.authorize("p", TOOL, "echo")).contains("is gone"));
        assertEquals(GrantStatus.State.AGENT_GONE, broker.grants("p").get(0).state());
        assertTrue(broker.liveGrants("p", TOOL).isEmpty());
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize("c", TOOL, "echo").isAllowed());
        }
        assertFalse(broker.authorize("c", TOOL, "echo").isAllowed());
        assertEquals(3, status("p", p.get(0).id()).usedInvocations());
        assertTrue(broker.isRegistered("p"));
        assertThrows(IllegalStateException.class, () -> broker.registerAgent("p", null, ADMIN, List.of()));
        assertThrows(IllegalArgumentException.class, () -> broker.registerAgent("pc", "p", ADMIN, List.of()));
    }

    @Test
    void liveGrants_mostSpecificFirstAndOnlyLive() {
        List<Grant> g = broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(FILE_READ, "/a/**"),
                GrantRequest.of(FILE_READ, "/a/b/**"), GrantRequest.of(FILE_READ, "/x").withMaxInvocations(0),
                GrantRequest.of(TOOL, "echo")));
        assertEquals(List.of(g.get(1), g.get(0)), broker.liveGrants("a", FILE_READ));
        assertEquals(List.of(), broker.liveGrants("nobody", FILE_READ));
    }

    // ---- events

    @Test
    void events_describeEveryChange() {
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(2)));
        broker.registerAgent("c", "p", Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo")));
        broker.authorize("c", TOOL, "echo");
        broker.authorize("c", TOOL, "rm");
        List<BrokerEvent.Type> types = events.events.stream().map(BrokerEvent::type).toList();
        assertEquals(List.of(BrokerEvent.Type.AGENT_REGISTERED, BrokerEvent.Type.GRANTED, BrokerEvent.Type.AGENT_REGISTERED,
                BrokerEvent.Type.DELEGATED, BrokerEvent.Type.AUTHORIZED, BrokerEvent.Type.DENIED), types);
        BrokerEvent granted = events.events.get(1);
        assertEquals(Map.of("grant", "1", "kind", "tool", "value", "echo", "by", "admin:1000", "maxInvocations", "2"),
                granted.details());
        assertEquals(List.of("grant", "kind", "value", "by", "maxInvocations"), List.copyOf(granted.details().keySet()));
        assertEquals("1", events.events.get(3).details().get("parentGrant"));
        assertEquals("no grant for tool \"rm\"", events.events.get(5).details().get("reason"));
        assertEquals(java.util.Optional.of("c"), events.events.get(5).agentId());
        assertEquals(T0, granted.at());
    }

    @Test
    void listenerFailure_rollsTheChangeBack() {
        broker.close();
        broker = Broker.open(dbFile, clock, e -> {
            if (e.type() == BrokerEvent.Type.DELEGATED) {
                throw new IllegalStateException("audit disk full");
            }
        });
        broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        BrokerException e = assertThrows(BrokerException.class, () -> broker.registerAgent("c", "p",
                Principal.agent("p"), List.of(GrantRequest.of(TOOL, "echo"))));
        assertTrue(e.getMessage().contains("audit disk full"), e.getMessage());
        assertFalse(broker.isRegistered("c"));
    }

    @Test
    void listener_cannotChangeTheBroker() {
        broker.close();
        Broker[] self = new Broker[1];
        broker = Broker.open(dbFile, clock, e -> {
            if (e.type() == BrokerEvent.Type.GRANTED) {
                self[0].grant("p", GrantRequest.of(TOOL, "more"), ADMIN);
            }
        });
        self[0] = broker;
        assertThrows(BrokerException.class, () -> broker.registerAgent("p", null, ADMIN, List.of(GrantRequest.of(TOOL, "echo"))));
        assertFalse(broker.isRegistered("p"));
    }

    @Test
    void close_thenUse_isAClearError() {
        broker.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> broker.authorize("a", TOOL, "echo"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        broker.close();
    }
}
