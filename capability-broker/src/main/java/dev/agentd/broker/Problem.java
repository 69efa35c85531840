package dev.agentd.broker;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** Why a grant chain cannot be used now: the state it puts the grant in, and a reason a person can read. */
record Problem(GrantStatus.State state, String reason) {

    /**
     * Why the chain cannot be used now, or null. Checked in order of what matters most to a reader.
     * Reads the counters without their locks: exact under them ({@link Invocations#consume}), a
     * moment's snapshot otherwise.
     *
     * @param withRate whether the rate bucket's momentary state counts
     */
    static Problem of(List<LiveGrant> chain, Instant now, boolean withRate) {
        long first = chain.get(0).grant.id();
        for (LiveGrant g : chain) {
            if (g.grant.revoked()) {
                return new Problem(GrantStatus.State.REVOKED, "grant " + g.grant.id() + " revoked at " + g.revokedAt
                        + " by " + g.revokedBy + inherited(g, first));
            }
        }
        for (LiveGrant g : chain) {
            if (g.grant.expiresAt().isPresent() && !now.isBefore(g.grant.expiresAt().get())) {
                return new Problem(GrantStatus.State.EXPIRED, "grant " + g.grant.id() + " expired at "
                        + g.grant.expiresAt().get() + inherited(g, first));
            }
        }
        for (LiveGrant g : chain) {
            if (g.counter.exhausted()) {
                return new Problem(GrantStatus.State.EXHAUSTED, "grant " + g.grant.id() + " exhausted: " + g.counter.used()
                        + " of " + g.grant.maxInvocations().getAsLong() + " invocations used" + inherited(g, first));
            }
        }
        if (withRate) {
            long nowNanos = epochNanos(now);
            for (LiveGrant g : chain) {
                long wait = g.counter.waitNanos(nowNanos);
                if (wait > 0) {
                    return new Problem(GrantStatus.State.RATE_LIMITED, "grant " + g.grant.id() + ": rate "
                            + g.grant.rate().get() + " exceeded (next call allowed in "
                            + humanDuration(wait) + ")" + inherited(g, first));
                }
            }
        }
        return null;
    }

    static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static String inherited(LiveGrant g, long first) {
        return g.grant.id() == first ? "" : " (grant " + first + " was narrowed from it)";
    }

    static String humanDuration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(1, nanos / 1_000_000) + "ms";
        }
        return Duration.ofNanos(nanos).withNanos(0).plusSeconds(1).toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
