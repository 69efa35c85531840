package dev.agentd.manifest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * When a {@link Grant} stops being valid: at a fixed {@link At instant}, or {@link After a
 * duration} counted from when the agent starts. The parser does not compare instants with the
 * clock: a stored manifest must parse the same way tomorrow, and an expired grant is simply
 * never usable.
 */
public sealed interface Expiry permits Expiry.At, Expiry.After {

    /** The instant the grant expires for an agent started at {@code start}. */
    Instant deadline(Instant start);

    /**
     * {@code expires: 2026-12-01T00:00:00Z}.
     *
     * @param instant the moment the grant stops working
     */
    record At(Instant instant) implements Expiry {
        public At {
            Objects.requireNonNull(instant, "instant");
        }

        @Override
        public Instant deadline(Instant start) {
            return instant;
        }

        @Override
        public String toString() {
            return instant.toString();
        }
    }

    /**
     * {@code expires: 24h}.
     *
     * @param duration positive, counted from the agent's start
     */
    record After(Duration duration) implements Expiry {
        public After {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("expiry duration must be positive, got " + duration);
            }
        }

        @Override
        public Instant deadline(Instant start) {
            return start.plus(duration);
        }

        @Override
        public String toString() {
            return duration.toString();
        }
    }
}
