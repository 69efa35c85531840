package dev.agentd.broker;

import static dev.agentd.broker.GrantKind.FILE_READ;
import static dev.agentd.broker.GrantKind.FILE_WRITE;
import static dev.agentd.broker.GrantKind.LLM;
import static dev.agentd.broker.GrantKind.NET;
import static dev.agentd.broker.GrantKind.SECRET;
import static dev.agentd.broker.GrantKind.SPAWN;
import static dev.agentd.broker.GrantKind.TOOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** "You can only give what you have": a child never gets more than its parent holds. */
class DelegationTest {
    private static final Principal ADMIN = Principal.admin(0);
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;
    MutableClock clock;
    Broker broker;
    int agents;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        broker = Broker.open(dir.resolve("agentd.db"), clock, BrokerListener.NONE);
    }

    @AfterEach
    void close() {
        broker.close();
    }

    private String parent(GrantRequest... grants) {
        String id = "p" + (agents++);
        broker.registerAgent(id, null, ADMIN, List.of(grants));
        return id;
    }

    private boolean delegates(String parent, GrantRequest child) {
        String id = "c" + (agents++);
        try {
            broker.registerAgent(id, parent, Principal.agent(parent), List.of(child));
            return true;
        } catch (DelegationException e) {
            assertFalse(broker.isRegistered(id), "a refused registration leaves nothing behind");
            assertTrue(e.getMessage().contains(child.kind().key()), e.getMessage());
            return false;
        }
    }

    // ---- values: exhaustive small cases against a set-based oracle

    private static final List<String> PATHS = List.of("/", "/a", "/a/b", "/a/b/c", "/ab", "/b", "/a/bc");

    private static List<String> pathValues() {
        List<String> v = new ArrayList<>();
        for (String p : PATHS) {
            v.add(p);
            v.add(p.equals("/") ? "/**" : p + "/**");
        }
        return v;
    }

    /**
     * The concrete paths a value allows, over a universe holding each path and one path below it,
     * so "a subtree" and "one file" never look alike. Written independently of {@link Values}.
     */
    private static Set<String> denotes(String value) {
        Set<String> universe = new TreeSet<>();
        for (String p : PATHS) {
            universe.add(p);
            universe.add(p.equals("/") ? "/zz" : p + "/zz");
        }
        Set<String> out = new TreeSet<>();
        for (String u : universe) {
            boolean in;
            if (value.endsWith("/**")) {
                String base = value.substring(0, value.length() - 2); // keeps the trailing "/"
                in = u.equals(value.substring(0, value.length() - 3)) || u.startsWith(base) || base.equals("/");
            } else {
                in = u.equals(value);
            }
            if (in) {
                out.add(u);
            }
        }
        return out;
    }

    @Test
    void registerAgent_paths_childGetsExactlyTheSubsetsOfTheParent() {
        int checked = 0;
        for (GrantKind kind : List.of(FILE_READ, FILE_WRITE)) {
            for (String held : pathValues()) {
                String p = parent(new GrantRequest(kind, held, java.util.OptionalLong.empty(),
                        java.util.Optional.empty(), java.util.Optional.empty()));
                for (String asked : pathValues()) {
                    boolean expected = denotes(held).containsAll(denotes(asked));
                    assertEquals(expected, delegates(p, GrantRequest.of(kind, asked)),
                            kind.key() + ": parent holds " + held + ", child asks " + asked);
                    checked++;
                }
            }
        }
        assertEquals(2 * 14 * 14, checked);
    }

    @Test
    void registerAgent_readGrantNeverGivesWrite() {
        String p = parent(GrantRequest.of(FILE_READ, "/**"));
        assertFalse(delegates(p, GrantRequest.of(FILE_WRITE, "/a")));
    }

    @Test
    void registerAgent_pathTricks_areRefusedBeforeDelegation() {
        String p = parent(GrantRequest.of(FILE_READ, "/a/**"));
        for (String trick : List.of("/a/../b", "/a/b/../../etc/passwd", "a/b", "/a/\0/b", "/a/*", "/a/**/b")) {
            assertThrows(IllegalArgumentException.class, () -> broker.registerAgent("t" + (agents++), p,
                    Principal.agent(p), List.of(GrantRequest.of(FILE_READ, trick))), trick);
        }
        assertFalse(delegates(p, GrantRequest.of(FILE_READ, "/ab")));
        assertFalse(delegates(p, GrantRequest.of(FILE_READ, "/ab/**")));
        assertFalse(delegates(p, GrantRequest.of(FILE_READ, "/**")));
        // Normalization cannot be used to widen: "/a/./b//" is just /a/b.
        assertTrue(delegates(p, GrantRequest.of(FILE_READ, "/a/./b//")));
    }

    @Test
    void registerAgent_net_hostCoversPortsAndNotTheReverse() {
        List<String> values = List.of("h.com", "h.com:80", "h.com:443", "g.com", "g.com:80");
        Predicate<String[]> oracle = pc -> pc[0].equals(pc[1]) || (!pc[0].contains(":") && pc[1].startsWith(pc[0] + ":"));
        for (String held : values) {
            String p = parent(GrantRequest.of(NET, held));
            for (String asked : values) {
                assertEquals(oracle.test(new String[] {held, asked}), delegates(p, GrantRequest.of(NET, asked)),
                        "parent holds net " + held + ", child asks " + asked);
            }
            assertFalse(delegates(p, GrantRequest.of(NET, "sub." + held.split(":")[0])));
        }
        // Case and a trailing dot do not make a different host.
        String p = parent(GrantRequest.of(NET, "h.com:443"));
        assertTrue(delegates(p, GrantRequest.of(NET, "H.COM.:443")));
    }

    @Test
    void registerAgent_names_mustBeEqual() {
        for (GrantKind kind : List.of(TOOL, SPAWN, SECRET, LLM)) {
            String p = parent(GrantRequest.of(kind, "x"));
            assertTrue(delegates(p, GrantRequest.of(kind, "x")), kind.key());
            assertFalse(delegates(p, GrantRequest.of(kind, "x2")), kind.key());
            assertFalse(delegates(p, GrantRequest.of(kind, "X")), kind.key());
            for (GrantKind other : GrantKind.values()) {
                if (other != kind && !other.isPath()) {
                    assertFalse(delegates(p, GrantRequest.of(other, other == NET ? "x" : "x")), kind + " -> " + other);
                }
            }
        }
    }

    // ---- constraints

    @Test
    void registerAgent_maxInvocations_noMoreThanParentHasLeft() {
        String p = parent(GrantRequest.of(TOOL, "echo").withMaxInvocations(10));
        for (int i = 0; i < 3; i++) {
            assertTrue(broker.authorize(p, TOOL, "echo").isAllowed());
        }
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo").withMaxInvocations(7)));
        DelegationException e = assertThrows(DelegationException.class, () -> broker.registerAgent("greedy", p,
                Principal.agent(p), List.of(GrantRequest.of(TOOL, "echo").withMaxInvocations(8))));
        assertTrue(e.getMessage().contains("asks for 8 invocations"), e.getMessage());
        assertTrue(e.getMessage().contains("only 7 of 10 left"), e.getMessage());
        assertEquals("tool: echo", e.request().describe());
        // Omitted: inherited through the chain (the parent's counter still applies).
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo")));
    }

    @Test
    void registerAgent_maxInvocations_checkedAgainstEveryAncestor() {
        String gp = parent(GrantRequest.of(TOOL, "echo").withMaxInvocations(5));
        broker.registerAgent("mid", gp, Principal.agent(gp), List.of(GrantRequest.of(TOOL, "echo")));
        assertTrue(delegates("mid", GrantRequest.of(TOOL, "echo").withMaxInvocations(5)));
        assertFalse(delegates("mid", GrantRequest.of(TOOL, "echo").withMaxInvocations(6)));
    }

    @Test
    void registerAgent_expiry_noLaterThanParent() {
        Instant end = T0.plus(Duration.ofHours(1));
        String p = parent(GrantRequest.of(TOOL, "echo").withExpiresAt(end));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo").withExpiresAt(end)));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo").withExpiresAt(end.minusSeconds(1))));
        assertFalse(delegates(p, GrantRequest.of(TOOL, "echo").withExpiresAt(end.plusSeconds(1))));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo")));
        clock.set(end);
        assertFalse(delegates(p, GrantRequest.of(TOOL, "echo")), "an expired grant gives nothing");
    }

    @Test
    void registerAgent_rate_noHigherThanParent() {
        String p = parent(GrantRequest.of(TOOL, "echo").withRate(Rate.parse("10/m")));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo").withRate(Rate.parse("10/m"))));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo").withRate(Rate.parse("5/m"))));
        assertFalse(delegates(p, GrantRequest.of(TOOL, "echo").withRate(Rate.parse("11/m"))));
        assertFalse(delegates(p, GrantRequest.of(TOOL, "echo").withRate(Rate.parse("1/s"))));
        assertFalse(delegates(p, GrantRequest.of(TOOL, "echo").withRate(Rate.parse("20/2m"))));
        assertTrue(delegates(p, GrantRequest.of(TOOL, "echo")));
    }

    @Test
    void registerAgent_revokedOrExhaustedParentGrant_givesNothing() {
        String p = parent(GrantRequest.of(TOOL, "echo").withMaxInvocations(1), GrantRequest.of(TOOL, "cat"));
        assertTrue(broker.authorize(p, TOOL, "echo").isAllowed());
        DelegationException e = assertThrows(DelegationException.class, () -> broker.registerAgent("x", p,
                Principal.agent(p), List.of(GrantRequest.of(TOOL, "echo"))));
        assertTrue(e.reason().contains("exhausted"), e.reason());
        long cat = broker.grants(p).stream().filter(s -> s.grant().value().equals("cat")).findFirst().orElseThrow()
                .grant().id();
        broker.revoke(cat, ADMIN);
        assertFalse(delegates(p, GrantRequest.of(TOOL, "cat")));
    }

    @Test
    void registerAgent_usesAnotherParentGrantWhenTheFirstCannotGive() {
        String p = parent(GrantRequest.of(FILE_READ, "/a/b/**").withMaxInvocations(1),
                GrantRequest.of(FILE_READ, "/a/**"));
        List<Grant> got = broker.registerAgent("c", p, Principal.agent(p),
                List.of(GrantRequest.of(FILE_READ, "/a/b/c").withMaxInvocations(5)));
        long broad = broker.grants(p).get(1).grant().id();
        assertEquals(broad, got.get(0).parentGrantId().getAsLong());
    }

    @Test
    void registerAgent_isAllOrNothing() {
        String p = parent(GrantRequest.of(TOOL, "echo"));
        assertThrows(DelegationException.class, () -> broker.registerAgent("c", p, Principal.agent(p),
                List.of(GrantRequest.of(TOOL, "echo"), GrantRequest.of(TOOL, "rm"))));
        assertFalse(broker.isRegistered("c"));
        // The id is still free.
        broker.registerAgent("c", p, Principal.agent(p), List.of(GrantRequest.of(TOOL, "echo")));
        assertEquals(1, broker.grants("c").size());
    }

    @Test
    void registerAgent_principals() {
        assertThrows(IllegalArgumentException.class, () -> broker.registerAgent("top", null, Principal.agent("x"), List.of()));
        String p = parent(GrantRequest.of(TOOL, "echo"));
        String q = parent(GrantRequest.of(TOOL, "echo"));
        assertThrows(IllegalArgumentException.class, () -> broker.registerAgent("c", p, Principal.agent(q),
                List.of(GrantRequest.of(TOOL, "echo"))));
        assertThrows(IllegalArgumentException.class, () -> broker.registerAgent("c", "nobody", ADMIN, List.of()));
        broker.registerAgent("c", p, ADMIN, List.of(GrantRequest.of(TOOL, "echo")));
        assertThrows(IllegalStateException.class, () -> broker.registerAgent("c", null, ADMIN, List.of()));
    }

    @Test
    void grant_byParentIsDelegated_byOtherAgentIsRefused_byAdminIsFree() {
        String p = parent(GrantRequest.of(TOOL, "echo"));
        broker.registerAgent("c", p, Principal.agent(p), List.of());
        Grant g = broker.grant("c", GrantRequest.of(TOOL, "echo"), Principal.agent(p));
        assertTrue(g.parentGrantId().isPresent());
        assertThrows(DelegationException.class, () -> broker.grant("c", GrantRequest.of(TOOL, "rm"), Principal.agent(p)));
        assertThrows(NotPermittedException.class, () -> broker.grant("c", GrantRequest.of(TOOL, "echo"), Principal.agent("c")));
        Grant admin = broker.grant("c", GrantRequest.of(TOOL, "rm"), ADMIN);
        assertTrue(admin.parentGrantId().isEmpty());
        assertTrue(broker.authorize("c", TOOL, "rm").isAllowed());
    }
}
