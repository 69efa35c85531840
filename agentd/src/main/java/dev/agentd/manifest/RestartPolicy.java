package dev.agentd.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code restart} setting, written either as a bare policy ({@code restart: on-failure})
 * or as a mapping ({@code {policy: always, max_retries: 3, backoff: 2s}}).
 *
 * @param policy     when to restart
 * @param maxRetries how many restarts in a row before giving up, ≥ 0
 * @param backoff    delay before the first restart; positive
 */
public record RestartPolicy(Policy policy, int maxRetries, Duration backoff) {

    /** {@code max_retries} when not given. */
    public static final int DEFAULT_MAX_RETRIES = 5;
    /** {@code backoff} when not given. */
    public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    /** {@code restart: never} with the default retry settings. */
    public static final RestartPolicy NEVER = new RestartPolicy(Policy.NEVER, DEFAULT_MAX_RETRIES, DEFAULT_BACKOFF);

    public RestartPolicy {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(backoff, "backoff");
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        if (backoff.isNegative() || backoff.isZero()) {
            throw new IllegalArgumentException("backoff must be positive, got " + backoff);
        }
    }

    /** When an exited agent is started again. */
    public enum Policy {
        /** Never restart (the default). */
        NEVER("never"),
        /** Restart after a non-zero exit or a fatal signal. */
        ON_FAILURE("on-failure"),
        /** Restart after any exit, unless stopped through the admin API. */
        ALWAYS("always");

        private final String yaml;

        Policy(String yaml) {
            this.yaml = yaml;
        }

        /** The manifest spelling (note the hyphen in {@code on-failure}, as in Docker). */
        public String yamlName() {
            return yaml;
        }
    }
}
