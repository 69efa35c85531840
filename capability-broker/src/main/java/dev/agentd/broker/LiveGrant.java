package dev.agentd.broker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A grant as decisions see it: its terms, its revocation, its counter, and its chain. */
final class LiveGrant {
    static final int MAX_CHAIN = 1_000;
    /** The most specific value first; among equals, the oldest grant. */
    static final Comparator<LiveGrant> MOST_SPECIFIC_FIRST = Comparator.<LiveGrant>comparingInt(g -> -g.specificity)
            .thenComparingLong(g -> g.grant.id());
    /** Revoked ones last, so the reason given is the most useful one; then {@link #MOST_SPECIFIC_FIRST}. */
    static final Comparator<LiveGrant> USABLE_FIRST = Comparator.<LiveGrant, Boolean>comparing(g -> g.grant.revoked())
            .thenComparing(MOST_SPECIFIC_FIRST);

    /** This grant, then the grants it was narrowed from, up to a root grant. */
    final List<LiveGrant> chain;
    final Counter counter;
    final int specificity;
    volatile Grant grant;
    volatile String revokedAt;
    volatile String revokedBy;

    LiveGrant(Grant grant, LiveGrant parent, String revokedAt, String revokedBy, Counter counter) {
        this.grant = grant;
        this.revokedAt = revokedAt;
        this.revokedBy = revokedBy;
        this.counter = counter;
        this.specificity = Values.specificity(grant.kind(), grant.value());
        List<LiveGrant> c = new ArrayList<>();
        c.add(this);
        if (parent != null) {
            c.addAll(parent.chain);
        }
        if (c.size() > MAX_CHAIN) {
            throw new BrokerException("grant chain of grant " + grant.id() + " is longer than " + MAX_CHAIN);
        }
        this.chain = List.copyOf(c);
    }

    void revoke(String at, String by) {
        // The reason first: a reader that sees the grant revoked reads who did it.
        revokedAt = at;
        revokedBy = by;
        Grant g = grant;
        grant = new Grant(g.id(), g.agentId(), g.kind(), g.value(), g.maxInvocations(), g.rate(), g.expiresAt(),
                g.parentGrantId(), true);
    }
}
