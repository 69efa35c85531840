package dev.agentd.broker;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One grant's invocation counter and rate bucket, kept in memory so that a call's decision needs
 * no database write, with the bounds the database holds for them.
 *
 * <p><b>The persistence rule: reserve ahead, in blocks.</b> The database never holds less than
 * what has been handed out. Before an invocation beyond the persisted count is allowed, the
 * broker commits a new persisted count of {@code min(max, used + block)}, where
 * {@code block = max / 16} clamped to 1..{@value #MAX_BLOCK} ({@value #MAX_BLOCK} for a grant
 * without a budget). The rate bucket's theoretical arrival time (see {@link Gcra}) is persisted
 * the same way: never earlier than the one in memory, {@code rateBlock - 1} emission intervals
 * ahead, {@code rateBlock = count / 16} clamped to 1..{@value #MAX_BLOCK}. A clean close writes
 * the exact values. After a crash the broker starts from the persisted ones, so the invocations
 * and tokens reserved but not used are lost, never gained: at most a sixteenth of a budget (and
 * of a burst) per grant per crash, and a budget of 16 or less is persisted call by call.
 *
 * <p>Thread-safety: {@link #used()} may be read at any time; everything else needs {@link #lock}
 * held. The broker locks the counters of a grant chain root first (a parent grant's id is always
 * lower than its child's), and takes its own database lock only inside them, never the reverse
 * ({@link Invocations} owns this ordering and explains it).
 */
final class Counter {
    static final long MAX_BLOCK = 1024;
    private static final long BUDGET_SHARE = 16;

    final ReentrantLock lock = new ReentrantLock();
    private final OptionalLong max;
    private final Optional<Rate> rate;
    private final long block;
    private final long rateBlock;
    /** Invocations handed out. Written under the lock; volatile for readers that do not decide. */
    private volatile long used;
    /** What the database holds: {@code used <= persistedUsed} whenever the broker is open. */
    private long persistedUsed;
    /** The bucket's TAT in nanoseconds since the epoch; null = a full bucket. Volatile as {@link #used}. */
    private volatile Long tat;
    /** What the database holds: never earlier than {@link #tat} (null only while tat is null too). */
    private Long persistedTat;

    /** The counter as the database has it ({@code used} and {@code rate_tat_nanos} of the grant). */
    Counter(OptionalLong max, Optional<Rate> rate, long persistedUsed, Long persistedTat) {
        this.max = max;
        this.rate = rate;
        this.block = block(max);
        this.rateBlock = rate.map(Counter::rateBlock).orElse(1L);
        this.used = persistedUsed;
        this.persistedUsed = persistedUsed;
        this.tat = persistedTat;
        this.persistedTat = persistedTat;
    }

    /** Invocations reserved at once for a grant with this budget. */
    static long block(OptionalLong max) {
        if (max.isEmpty()) {
            return MAX_BLOCK;
        }
        return Math.max(1, Math.min(MAX_BLOCK, max.getAsLong() / BUDGET_SHARE));
    }

    /** Tokens reserved at once for a bucket of this rate. */
    static long rateBlock(Rate r) {
        return Math.max(1, Math.min(MAX_BLOCK, r.count() / BUDGET_SHARE));
    }

    long used() {
        return used;
    }

    boolean exhausted() {
        return max.isPresent() && used >= max.getAsLong();
    }

    /** Nanoseconds until a call would conform to the rate; 0 or less: now. Always 0 without a rate. */
    long waitNanos(long nowNanos) {
        return rate.isEmpty() ? 0 : Gcra.waitNanos(rate.get(), tat, nowNanos);
    }

    /**
     * The values to commit before {@link #take} at {@code nowNanos} may be applied, or null if
     * what the database holds already covers it. Call only when the invocation conforms (not
     * {@link #exhausted()}, {@link #waitNanos} ≤ 0).
     */
    Persisted reservationFor(long nowNanos) {
        long nextUsed = used + 1;
        boolean countCovered = nextUsed <= persistedUsed;
        Long nextTat = null;
        if (rate.isPresent()) {
            nextTat = Gcra.take(rate.get(), tat, nowNanos);
        }
        boolean tatCovered = nextTat == null || (persistedTat != null && nextTat <= persistedTat);
        if (countCovered && tatCovered) {
            return null;
        }
        long newUsed = countCovered ? persistedUsed : reserveCount(nextUsed);
        Long newTat = persistedTat;
        if (!tatCovered) {
            newTat = saturatedAdd(nextTat, saturatedMultiply(rateBlock - 1, Gcra.emissionNanos(rate.get())));
        }
        return new Persisted(newUsed, newTat);
    }

    private long reserveCount(long nextUsed) {
        long target = saturatedAdd(used, block);
        if (max.isPresent()) {
            target = Math.min(target, max.getAsLong());
        }
        return Math.max(target, nextUsed);
    }

    /** Records that {@code p} is committed. */
    void persisted(Persisted p) {
        persistedUsed = Math.max(persistedUsed, p.used());
        if (p.tat() != null && (persistedTat == null || p.tat() > persistedTat)) {
            persistedTat = p.tat();
        }
    }

    /** Consumes one invocation and one token at {@code nowNanos}; its reservation must be committed. */
    void take(long nowNanos) {
        long nextUsed = used + 1;
        Long nextTat = tat;
        if (rate.isPresent()) {
            nextTat = Gcra.take(rate.get(), tat, nowNanos);
        }
        if (nextUsed > persistedUsed || (nextTat != null && (persistedTat == null || nextTat > persistedTat))) {
            throw new IllegalStateException("invocation beyond the persisted reservation (used " + used
                    + ", persisted " + persistedUsed + ")");
        }
        used = nextUsed;
        tat = nextTat;
    }

    /** The exact values, for a clean close; null if the database already holds them. */
    Persisted exact() {
        if (used == persistedUsed && java.util.Objects.equals(tat, persistedTat)) {
            return null;
        }
        return new Persisted(used, tat);
    }

    /**
     * Records that the exact values are committed. From now on every invocation needs a new
     * reservation, which a closed broker refuses: nothing is handed out that the database lacks.
     */
    void sealed() {
        persistedUsed = used;
        persistedTat = tat;
    }

    /** The bucket's TAT in memory (null = full), for {@link GrantStatus} and tests. */
    Long tat() {
        return tat;
    }

    long persistedUsed() {
        return persistedUsed;
    }

    Long persistedTat() {
        return persistedTat;
    }

    /** The {@code used} and {@code rate_tat_nanos} to write for the grant. */
    record Persisted(long used, Long tat) {}

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long saturatedMultiply(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }
}
