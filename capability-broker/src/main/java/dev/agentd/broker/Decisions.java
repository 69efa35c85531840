package dev.agentd.broker;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decisions from memory: which of an agent's grants covers a call, whether its chain can be used
 * now, and each grant's status. Takes no lock of its own; a consuming decision spends through
 * {@link Invocations} under the chain's counter locks.
 */
final class Decisions {
    private final GrantStore store;
    private final Invocations invocations;
    private final Clock clock;

    Decisions(GrantStore store, Invocations invocations, Clock clock) {
        this.store = store;
        this.invocations = invocations;
        this.clock = clock;
    }

    /**
     * The decision for {@code kind: rawValue}; with {@code consume}, spends one invocation on the
     * chain of the grant that allows it.
     */
    Decision decide(String agentId, GrantKind kind, String rawValue, boolean consume) {
        if (agentId == null) {
            return Decision.denied("no agent id");
        }
        LiveAgent agent = store.agent(agentId);
        if (agent == null) {
            return Decision.denied("unknown agent \"" + Values.printable(agentId) + "\"");
        }
        String forgotten = agent.forgottenAt;
        if (forgotten != null) {
            return Decision.denied("agent \"" + agentId + "\" is gone (forgotten at " + forgotten + ")");
        }
        String value;
        try {
            value = Values.normalize(kind, rawValue);
        } catch (IllegalArgumentException e) {
            return Decision.denied(e.getMessage());
        }
        List<LiveGrant> candidates = new ArrayList<>(4);
        for (LiveGrant g : agent.ofKind(kind)) {
            if (Values.covers(kind, g.grant.value(), value)) {
                candidates.add(g);
            }
        }
        if (candidates.isEmpty()) {
            return Decision.denied("no grant for " + kind.key() + " \"" + Values.printable(value) + "\"");
        }
        if (candidates.size() > 1) {
            candidates.sort(LiveGrant.USABLE_FIRST);
        }
        Instant now = clock.instant();
        String firstReason = null;
        // Grants add up: if the most specific grant is used up, a broader one the agent also holds
        // still allows the call (the narrower one never restricted it).
        for (LiveGrant c : candidates) {
            Problem problem = consume ? invocations.consume(c.chain, now) : Problem.of(c.chain, now, true);
            if (problem == null) {
                return Decision.allowed(c.grant);
            }
            if (firstReason == null) {
                firstReason = problem.reason();
            }
        }
        return Decision.denied(firstReason);
    }

    /** See {@link Broker#grants}. */
    List<GrantStatus> grants(String agentId) {
        LiveAgent a = store.requireLiveAgent(agentId);
        Instant now = clock.instant();
        List<GrantStatus> out = new ArrayList<>();
        for (LiveGrant g : a.all()) {
            out.add(status(a, g, now));
        }
        return List.copyOf(out);
    }

    /** See {@link Authorizer#liveGrants}. */
    List<Grant> liveGrants(String agentId, GrantKind kind) {
        LiveAgent a = agentId == null ? null : store.agent(agentId);
        if (a == null || a.forgottenAt != null) {
            return List.of();
        }
        Instant now = clock.instant();
        List<LiveGrant> rows = new ArrayList<>(a.ofKind(kind));
        rows.sort(LiveGrant.MOST_SPECIFIC_FIRST);
        List<Grant> out = new ArrayList<>();
        for (LiveGrant g : rows) {
            GrantStatus s = status(a, g, now);
            // A rate limit is momentary; the grant is still the agent's.
            if (s.isLive() || s.state() == GrantStatus.State.RATE_LIMITED) {
                out.add(g.grant);
            }
        }
        return List.copyOf(out);
    }

    private static GrantStatus status(LiveAgent a, LiveGrant g, Instant now) {
        OptionalLong remaining = OptionalLong.empty();
        Optional<Instant> expiry = Optional.empty();
        for (LiveGrant c : g.chain) {
            if (c.grant.maxInvocations().isPresent()) {
                long left = Math.max(0, c.grant.maxInvocations().getAsLong() - c.counter.used());
                remaining = OptionalLong.of(remaining.isPresent() ? Math.min(remaining.getAsLong(), left) : left);
            }
            if (c.grant.expiresAt().isPresent()) {
                Instant e = c.grant.expiresAt().get();
                expiry = Optional.of(expiry.isPresent() && expiry.get().isBefore(e) ? expiry.get() : e);
            }
        }
        String forgotten = a.forgottenAt;
        Problem p = forgotten != null
                ? new Problem(GrantStatus.State.AGENT_GONE, "agent \"" + a.id + "\" is gone (forgotten at " + forgotten + ")")
                : Problem.of(g.chain, now, true);
        return new GrantStatus(g.grant, g.counter.used(), remaining, expiry, p == null ? GrantStatus.State.LIVE : p.state(),
                p == null ? Optional.empty() : Optional.of(p.reason()));
    }
}
