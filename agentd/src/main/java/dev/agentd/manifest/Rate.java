package dev.agentd.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * A rate limit such as {@code 10/m}: at most {@code count} uses per {@code per}.
 *
 * @param count positive
 * @param per   one second, one minute or one hour
 */
public record Rate(long count, Duration per) {

    public Rate {
        Objects.requireNonNull(per, "per");
        if (count <= 0) {
            throw new IllegalArgumentException("rate count must be positive, got " + count);
        }
        if (!per.equals(Duration.ofSeconds(1)) && !per.equals(Duration.ofMinutes(1)) && !per.equals(Duration.ofHours(1))) {
            throw new IllegalArgumentException("rate period must be 1s, 1m or 1h, got " + per);
        }
    }

    /** The manifest spelling, e.g. {@code 10/m}. */
    @Override
    public String toString() {
        String unit = per.equals(Duration.ofSeconds(1)) ? "s" : per.equals(Duration.ofMinutes(1)) ? "m" : "h";
        return count + "/" + unit;
    }
}
