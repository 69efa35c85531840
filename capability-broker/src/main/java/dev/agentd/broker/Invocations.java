package dev.agentd.broker;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Spends invocations and rate tokens on grant chains, and keeps the database's copy of every
 * {@link Counter} ahead of what is spent (the reservation rule is {@link Counter}'s).
 *
 * <p><b>Lock ordering.</b> The broker has two kinds of lock: one {@link Counter#lock} per grant,
 * and the {@link Database#lock()}. They are always taken in this order:
 * <ol>
 *   <li>the counter locks of a grant chain, root first ({@link #consume}): a parent grant's id is
 *       always lower than its child's, and every chain through a grant continues with the same
 *       ancestors, so two calls never wait for each other in a cycle;</li>
 *   <li>then, inside them and only when a counter must reserve its next block, the database lock
 *       ({@link #persist}).</li>
 * </ol>
 * Nothing that holds the database lock takes a counter lock: a write (register, grant, revoke,
 * forget, approvals, secrets) reads counters without their locks (a moment's count), so writes
 * and calls cannot deadlock. {@link #sealAll} at close takes counter locks one at a time, with
 * no database lock held, and {@link #writeExact} takes the database lock after releasing them.
 */
final class Invocations {
    private final Database db;

    Invocations(Database db) {
        this.db = db;
    }

    /**
     * Checks and consumes one invocation on every grant of {@code chain} under the chain's counter
     * locks, root first; commits the counters' next reservations first if they need one.
     *
     * @return null if consumed, else why not (nothing consumed)
     * @throws BrokerException if a reservation cannot be committed (nothing consumed)
     */
    Problem consume(List<LiveGrant> chain, Instant now) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            chain.get(i).counter.lock.lock();
        }
        try {
            Problem p = Problem.of(chain, now, true);
            if (p != null) {
                return p;
            }
            long nowNanos = Problem.epochNanos(now);
            List<LiveGrant> reserve = null;
            List<Counter.Persisted> values = null;
            for (LiveGrant g : chain) {
                Counter.Persisted r = g.counter.reservationFor(nowNanos);
                if (r != null) {
                    if (reserve == null) {
                        reserve = new ArrayList<>(chain.size());
                        values = new ArrayList<>(chain.size());
                    }
                    reserve.add(g);
                    values.add(r);
                }
            }
            if (reserve != null) {
                persist(reserve, values);
            }
            for (LiveGrant g : chain) {
                g.counter.take(nowNanos);
            }
            return null;
        } finally {
            for (LiveGrant g : chain) {
                g.counter.lock.unlock();
            }
        }
    }

    /**
     * Commits counters' next reservations (under the database lock, inside their counter locks),
     * then records them as persisted. Fails, consuming nothing, if the broker is closing.
     */
    private void persist(List<LiveGrant> grants, List<Counter.Persisted> values) {
        db.lock().lock();
        try {
            db.ensureOpen();
            List<Long> ids = new ArrayList<>(grants.size());
            for (LiveGrant g : grants) {
                ids.add(g.grant.id());
            }
            boolean committed = false;
            try {
                update(ids, values);
                committed = true;
            } catch (SQLException e) {
                throw new BrokerException("reserving invocations of grant " + grants.get(0).grant.id() + " failed in "
                        + db.file() + ": " + e.getMessage(), e);
            } finally {
                db.endTransaction(committed);
            }
            for (int i = 0; i < grants.size(); i++) {
                grants.get(i).counter.persisted(values.get(i));
            }
        } finally {
            db.lock().unlock();
        }
    }

    /** The exact counter values a clean close writes, taken as each counter was sealed. */
    record Sealed(List<Long> ids, List<Counter.Persisted> exact) {}

    /**
     * Seals every counter (counter locks one at a time, before any database lock, as
     * {@link #consume} takes them). Call once the database is marked closed: no counter can
     * reserve more, so sealing each fixes what {@link #writeExact} must hold.
     */
    Sealed sealAll(Collection<LiveGrant> grants) {
        List<Long> ids = new ArrayList<>();
        List<Counter.Persisted> exact = new ArrayList<>();
        for (LiveGrant g : grants) {
            g.counter.lock.lock();
            try {
                Counter.Persisted e = g.counter.exact();
                if (e != null) {
                    ids.add(g.grant.id());
                    exact.add(e);
                }
                g.counter.sealed();
            } finally {
                g.counter.lock.unlock();
            }
        }
        return new Sealed(ids, exact);
    }

    /** Writes what {@link #sealAll} found, if anything; call under the database lock. Never throws. */
    void writeExact(Sealed s) {
        if (s.ids().isEmpty()) {
            return;
        }
        boolean committed = false;
        try {
            update(s.ids(), s.exact());
            committed = true;
        } catch (SQLException e) {
            // Leniency with a reason: the reservations stay, and they are never below the
            // exact counts, so a budget still holds; only unused invocations are lost.
        } finally {
            db.endTransaction(committed);
        }
    }

    /** Writes {@code used} and {@code rate_tat_nanos} of the grants in one transaction, and commits. */
    private void update(List<Long> ids, List<Counter.Persisted> values) throws SQLException {
        db.connection().setAutoCommit(false);
        try (PreparedStatement p = db.connection().prepareStatement(
                "UPDATE broker_grants SET used = ?, rate_tat_nanos = ? WHERE id = ?")) {
            for (int i = 0; i < ids.size(); i++) {
                Counter.Persisted v = values.get(i);
                p.setLong(1, v.used());
                if (v.tat() == null) {
                    p.setNull(2, Types.INTEGER);
                } else {
                    p.setLong(2, v.tat());
                }
                p.setLong(3, ids.get(i));
                p.addBatch();
            }
            p.executeBatch();
        }
        db.connection().commit();
    }
}
