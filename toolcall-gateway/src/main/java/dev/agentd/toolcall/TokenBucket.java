package dev.agentd.toolcall;

import dev.agentd.broker.Rate;
import java.util.function.LongSupplier;

/**
 * A token bucket of capacity {@code rate.count()} refilled continuously at
 * {@code count / per}: bursts up to the count, sustained rate at most the rate —
 * the same meaning the broker gives a grant's {@link Rate}.
 */
final class TokenBucket {
    private final Rate rate;
    private final double capacity;
    private final double tokensPerNano;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(Rate rate, LongSupplier nanoClock) {
        this.rate = rate;
        this.capacity = rate.count();
        this.tokensPerNano = rate.count() / (double) rate.per().toNanos();
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    TokenBucket(Rate rate) {
        this(rate, System::nanoTime);
    }

    /** Takes one token if there is one. */
    synchronized boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) * tokensPerNano);
        last = now;
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return true;
        }
        return false;
    }

    Rate rate() {
        return rate;
    }
}
