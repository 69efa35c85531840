package dev.agentd.toolcall;

import dev.agentd.broker.Rate;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Bounds on what one agent can make its gateway do. Every resource a gateway holds
 * for an agent — threads, buffers, queued output — is bounded by these, so one
 * agent cannot starve another's gateway nor agentd.
 *
 * <p>Built with {@link #builder()}; {@link #defaults()} are the values below.
 *
 * @param maxMessageBytes        longest request line, newline excluded (1 MiB); a longer line gets an
 *                               error and the connection is closed, because the stream cannot be resynchronized
 *                               without reading the whole line
 * @param maxConcurrentCalls     tool calls running (or awaiting approval) at once across all of the agent's
 *                               connections (8); more get an {@code isError} result "too many concurrent calls"
 * @param agentRate              token bucket over all of the agent's calls (200/s); empty = unlimited
 * @param toolRates              token bucket per tool name, for this agent (none)
 * @param defaultToolRate        bucket for tools not named in {@code toolRates} (none)
 * @param callTimeout            from the tool's start to the "timed out" answer (30 s); the call's token is
 *                               cancelled then
 * @param approvalTimeout        how long a call waits for a person's approval (5 min); not counted in
 *                               {@code callTimeout}
 * @param maxResultBytes         serialized {@code CallToolResult} size cap (1 MiB); larger → "result too large"
 * @param maxConnections         open connections per agent (16); more are answered with an error and closed
 * @param maxNestingDepth        JSON nesting depth accepted in a request (64): a parser and schema
 *                               validator recursing on attacker-chosen depth is a stack overflow waiting
 * @param maxOutboundBytes       bytes queued for one connection that the client has not read yet (4 MiB);
 *                               beyond that the client is not reading and the connection is closed, so a
 *                               stalled client cannot pin agentd's memory
 */
public record GatewayLimits(int maxMessageBytes, int maxConcurrentCalls, Optional<Rate> agentRate,
                            Map<String, Rate> toolRates, Optional<Rate> defaultToolRate, Duration callTimeout,
                            Duration approvalTimeout, int maxResultBytes, int maxConnections, int maxNestingDepth,
                            long maxOutboundBytes) {

    public static final int MIB = 1024 * 1024;

    public GatewayLimits {
        Objects.requireNonNull(agentRate, "agentRate");
        Objects.requireNonNull(defaultToolRate, "defaultToolRate");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(approvalTimeout, "approvalTimeout");
        toolRates = Map.copyOf(Objects.requireNonNull(toolRates, "toolRates"));
        positive("maxMessageBytes", maxMessageBytes);
        positive("maxConcurrentCalls", maxConcurrentCalls);
        positive("maxResultBytes", maxResultBytes);
        positive("maxConnections", maxConnections);
        positive("maxNestingDepth", maxNestingDepth);
        positive("maxOutboundBytes", maxOutboundBytes);
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be > 0, got " + callTimeout);
        }
        if (approvalTimeout.isNegative() || approvalTimeout.isZero()) {
            throw new IllegalArgumentException("approvalTimeout must be > 0, got " + approvalTimeout);
        }
        if (maxOutboundBytes < maxResultBytes + 1024L) {
            // A single maximal result must fit, or every large result would close the connection.
            throw new IllegalArgumentException("maxOutboundBytes (" + maxOutboundBytes
                    + ") must exceed maxResultBytes (" + maxResultBytes + ") by at least 1 KiB");
        }
    }

    public static GatewayLimits defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This with some values changed. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxMessageBytes = maxMessageBytes;
        b.maxConcurrentCalls = maxConcurrentCalls;
        b.agentRate = agentRate;
        b.toolRates = new TreeMap<>(toolRates);
        b.defaultToolRate = defaultToolRate;
        b.callTimeout = callTimeout;
        b.approvalTimeout = approvalTimeout;
        b.maxResultBytes = maxResultBytes;
        b.maxConnections = maxConnections;
        b.maxNestingDepth = maxNestingDepth;
        b.maxOutboundBytes = maxOutboundBytes;
        return b;
    }

    /** The rate for {@code tool}: its own, else the default, else none. */
    public Optional<Rate> rateFor(String tool) {
        Rate r = toolRates.get(tool);
        return r != null ? Optional.of(r) : defaultToolRate;
    }

    private static void positive(String name, long v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + v);
        }
    }

    /** Starts from the defaults; {@link #build()} validates. */
    public static final class Builder {
        private int maxMessageBytes = MIB;
        private int maxConcurrentCalls = 8;
        private Optional<Rate> agentRate = Optional.of(new Rate(200, Duration.ofSeconds(1)));
        private Map<String, Rate> toolRates = new TreeMap<>();
        private Optional<Rate> defaultToolRate = Optional.empty();
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration approvalTimeout = Duration.ofMinutes(5);
        private int maxResultBytes = MIB;
        private int maxConnections = 16;
        private int maxNestingDepth = 64;
        private long maxOutboundBytes = 4L * MIB;

        private Builder() {}

        public Builder maxMessageBytes(int v) { maxMessageBytes = v; return this; }
        public Builder maxConcurrentCalls(int v) { maxConcurrentCalls = v; return this; }
        /** {@code null} = unlimited. */
        public Builder agentRate(Rate v) { agentRate = Optional.ofNullable(v); return this; }
        public Builder toolRate(String tool, Rate v) { toolRates.put(Objects.requireNonNull(tool), Objects.requireNonNull(v)); return this; }
        /** {@code null} = unlimited. */
        public Builder defaultToolRate(Rate v) { defaultToolRate = Optional.ofNullable(v); return this; }
        public Builder callTimeout(Duration v) { callTimeout = v; return this; }
        public Builder approvalTimeout(Duration v) { approvalTimeout = v; return this; }
        public Builder maxResultBytes(int v) { maxResultBytes = v; return this; }
        public Builder maxConnections(int v) { maxConnections = v; return this; }
        public Builder maxNestingDepth(int v) { maxNestingDepth = v; return this; }
        public Builder maxOutboundBytes(long v) { maxOutboundBytes = v; return this; }

        public GatewayLimits build() {
            return new GatewayLimits(maxMessageBytes, maxConcurrentCalls, agentRate, toolRates, defaultToolRate,
                    callTimeout, approvalTimeout, maxResultBytes, maxConnections, maxNestingDepth, maxOutboundBytes);
        }
    }
}
