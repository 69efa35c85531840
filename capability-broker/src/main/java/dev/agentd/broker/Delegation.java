package dev.agentd.broker;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The rule "you can only give what you have": which of a parent agent's grants a child's request
 * is narrowed from, or why none can give it. Pure: reads the in-memory grants (counters without
 * their locks, a moment's count) and writes nothing.
 */
final class Delegation {
    private Delegation() {}

    /**
     * The parent's grant to narrow {@code r} from: the most specific live one of the same kind
     * whose value covers it and whose chain's constraints are no tighter.
     *
     * @throws DelegationException naming why the parent cannot give it
     */
    static LiveGrant parentGrant(String childId, LiveAgent parent, GrantRequest r, Instant now) {
        List<LiveGrant> held = new ArrayList<>();
        for (LiveGrant g : parent.ofKind(r.kind())) {
            if (Values.covers(r.kind(), g.grant.value(), r.value())) {
                held.add(g);
            }
        }
        if (held.isEmpty()) {
            throw new DelegationException(childId, parent.id, r, "the parent holds no " + r.kind().key()
                    + " grant covering \"" + Values.printable(r.value()) + "\"");
        }
        held.sort(LiveGrant.USABLE_FIRST);
        String firstReason = null;
        for (LiveGrant pg : held) {
            String why = whyNotFrom(pg, r, now);
            if (why == null) {
                return pg;
            }
            if (firstReason == null) {
                firstReason = why;
            }
        }
        throw new DelegationException(childId, parent.id, r, firstReason);
    }

    /** Why {@code r} cannot be narrowed from {@code pg}, or null if it can. */
    static String whyNotFrom(LiveGrant pg, GrantRequest r, Instant now) {
        String from = "parent " + pg.grant.describe();
        // The rate bucket's momentary state is not a reason to refuse a delegation; the child's
        // calls will be rate-limited on the shared chain anyway.
        Problem p = Problem.of(pg.chain, now, false);
        if (p != null) {
            return from + " is not live: " + p.reason();
        }
        for (LiveGrant c : pg.chain) {
            String whose = c == pg ? from : "ancestor " + c.grant.describe() + " of " + from;
            if (r.maxInvocations().isPresent() && c.grant.maxInvocations().isPresent()) {
                // A moment's count (a write takes no counter lock): the child's calls count on this
                // grant anyway, so a call racing the delegation cannot overspend it.
                long left = c.grant.maxInvocations().getAsLong() - c.counter.used();
                if (r.maxInvocations().getAsLong() > left) {
                    return "asks for " + r.maxInvocations().getAsLong() + " invocations but " + whose + " has only "
                            + left + " of " + c.grant.maxInvocations().getAsLong() + " left";
                }
            }
            if (r.expiresAt().isPresent() && c.grant.expiresAt().isPresent()
                    && r.expiresAt().get().isAfter(c.grant.expiresAt().get())) {
                return "expires at " + r.expiresAt().get() + ", after " + whose + " (expires at "
                        + c.grant.expiresAt().get() + ")";
            }
            if (r.rate().isPresent() && c.grant.rate().isPresent() && !r.rate().get().noLooserThan(c.grant.rate().get())) {
                return "rate " + r.rate().get() + " is looser than the rate " + c.grant.rate().get() + " of " + whose;
            }
        }
        return null;
    }
}
