package dev.agentd.broker;

/**
 * A token bucket of capacity {@code count} refilled at {@code count/per}, kept as one number: the
 * generic cell rate algorithm's "theoretical arrival time" (TAT). One long per grant is cheap to
 * persist with the invocation counter in the same UPDATE, so a restart does not refill the bucket,
 * and the arithmetic is exact integers (no floating point drift).
 */
final class Gcra {
    private Gcra() {}

    /**
     * Time between tokens, rounded UP so the sustained rate is never above {@code count/per}. The
     * burst tolerance below is expressed in the same rounded unit so a full bucket still holds
     * exactly {@code count} tokens (rounding it separately would lose one for e.g. 7/m).
     */
    static long emissionNanos(Rate r) {
        long per = r.per().toNanos();
        return Math.max(1, (per + r.count() - 1) / r.count());
    }

    private static long toleranceNanos(Rate r) {
        return (r.count() - 1) * emissionNanos(r);
    }

    /** Nanoseconds until a call would conform; 0 or less means it conforms now. {@code tat} null = full bucket. */
    static long waitNanos(Rate r, Long tat, long nowNanos) {
        if (tat == null) {
            return 0;
        }
        return tat - nowNanos - toleranceNanos(r);
    }

    /** The TAT after taking one token at {@code nowNanos} (which must conform). */
    static long take(Rate r, Long tat, long nowNanos) {
        long base = tat == null ? nowNanos : Math.max(tat, nowNanos);
        return base + emissionNanos(r);
    }
}
