package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * {@link Problem} and {@link Delegation} on grants built in memory, without a database: the rules
 * a decision and a delegation apply to a grant chain.
 */
class ChainRulesTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static LiveGrant grant(long id, String agent, GrantKind kind, String value, LiveGrant parent,
                                   OptionalLong max, Optional<Rate> rate, Optional<Instant> expires, long used) {
        Grant g = new Grant(id, agent, kind, value, max, rate, expires,
                parent == null ? OptionalLong.empty() : OptionalLong.of(parent.grant.id()), false);
        return new LiveGrant(g, parent, null, null, new Counter(max, rate, used, null));
    }

    private static LiveGrant tool(long id, String agent, LiveGrant parent) {
        return grant(id, agent, GrantKind.TOOL, "echo", parent, OptionalLong.empty(), Optional.empty(),
                Optional.empty(), 0);
    }

    @Test
    void aChainIsItselfThenItsAncestors() {
        LiveGrant root = tool(1, "a", null);
        LiveGrant mid = tool(2, "b", root);
        LiveGrant leaf = tool(3, "c", mid);
        assertEquals(java.util.List.of(leaf, mid, root), leaf.chain);
    }

    @Test
    void problem_revokedComesBeforeExpiredBeforeExhausted_andNamesTheNarrowedGrant() {
        LiveGrant root = grant(1, "a", GrantKind.TOOL, "echo", null, OptionalLong.of(2), Optional.empty(),
                Optional.of(NOW), 2);
        LiveGrant leaf = tool(2, "b", root);
        Problem p = Problem.of(leaf.chain, NOW, true);
        assertEquals(GrantStatus.State.EXPIRED, p.state());
        assertEquals("grant 1 expired at " + NOW + " (grant 2 was narrowed from it)", p.reason());

        leaf.revoke("2026-01-01T00:00:01Z", "admin:0");
        p = Problem.of(leaf.chain, NOW, true);
        assertEquals(GrantStatus.State.REVOKED, p.state());
        assertEquals("grant 2 revoked at 2026-01-01T00:00:01Z by admin:0", p.reason());

        LiveGrant spent = grant(3, "a", GrantKind.TOOL, "echo", null, OptionalLong.of(2), Optional.empty(),
                Optional.empty(), 2);
        p = Problem.of(spent.chain, NOW, true);
        assertEquals(GrantStatus.State.EXHAUSTED, p.state());
        assertEquals("grant 3 exhausted: 2 of 2 invocations used", p.reason());
    }

    @Test
    void problem_aRateCountsOnlyWhenAsked() {
        Rate once = Rate.parse("1/h");
        Counter c = new Counter(OptionalLong.empty(), Optional.of(once), 0, null);
        long now = Problem.epochNanos(NOW);
        Counter.Persisted r = c.reservationFor(now);
        c.persisted(r);
        c.take(now);
        LiveGrant g = new LiveGrant(new Grant(1, "a", GrantKind.TOOL, "echo", OptionalLong.empty(), Optional.of(once),
                Optional.empty(), OptionalLong.empty(), false), null, null, null, c);
        assertNull(Problem.of(g.chain, NOW, false));
        Problem p = Problem.of(g.chain, NOW, true);
        assertEquals(GrantStatus.State.RATE_LIMITED, p.state());
        assertTrue(p.reason().startsWith("grant 1: rate " + once + " exceeded (next call allowed in "), p.reason());
    }

    @Test
    void humanDuration_roundsUpToTheSecondAboveOne() {
        assertEquals("1ms", Problem.humanDuration(1));
        assertEquals("250ms", Problem.humanDuration(250_000_000L));
        assertEquals("2s", Problem.humanDuration(1_000_000_001L));
        assertEquals("1m1s", Problem.humanDuration(60_500_000_000L));
    }

    @Test
    void delegation_picksTheMostSpecificLiveParentGrantThatCoversTheRequest() {
        LiveAgent parent = new LiveAgent("p", null, Principal.admin(0), null);
        LiveGrant broad = grant(1, "p", GrantKind.FILE_READ, "/data/**", null, OptionalLong.empty(), Optional.empty(),
                Optional.empty(), 0);
        LiveGrant narrow = grant(2, "p", GrantKind.FILE_READ, "/data/reports/**", null, OptionalLong.of(5),
                Optional.empty(), Optional.empty(), 0);
        parent.add(broad);
        parent.add(narrow);
        GrantRequest r = GrantRequest.of(GrantKind.FILE_READ, "/data/reports/q1/**");
        assertSame(narrow, Delegation.parentGrant("c", parent, r, NOW));
        // Asking for more than the narrow grant has left falls back to the broad one.
        assertSame(broad, Delegation.parentGrant("c", parent, r.withMaxInvocations(6), NOW));
        narrow.revoke("2026-01-01T00:00:00Z", "admin:0");
        assertSame(broad, Delegation.parentGrant("c", parent, r, NOW));
    }

    @Test
    void delegation_explainsTheFirstReasonOfTheBestCandidate() {
        LiveAgent parent = new LiveAgent("p", null, Principal.admin(0), null);
        LiveGrant root = grant(1, "p", GrantKind.TOOL, "echo", null, OptionalLong.of(10), Optional.empty(),
                Optional.of(NOW.plusSeconds(60)), 4);
        parent.add(root);
        DelegationException e = assertThrows(DelegationException.class, () -> Delegation.parentGrant("c", parent,
                GrantRequest.of(GrantKind.TOOL, "echo").withMaxInvocations(7), NOW));
        assertTrue(e.getMessage().contains("asks for 7 invocations but parent grant 1 (tool: echo) has only 6 of 10 left"),
                e.getMessage());
        assertEquals("expires at " + NOW.plusSeconds(61) + ", after parent grant 1 (tool: echo) (expires at "
                        + NOW.plusSeconds(60) + ")",
                Delegation.whyNotFrom(root, GrantRequest.of(GrantKind.TOOL, "echo").withExpiresAt(NOW.plusSeconds(61)), NOW));
        e = assertThrows(DelegationException.class, () -> Delegation.parentGrant("c", parent,
                GrantRequest.of(GrantKind.TOOL, "other"), NOW));
        assertTrue(e.getMessage().contains("the parent holds no tool grant covering \"other\""), e.getMessage());
    }
}
