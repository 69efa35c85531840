package dev.agentd.daemon;

import dev.agentd.broker.Rate;
import dev.agentd.manifest.Limits;
import java.time.Duration;

/**
 * How fast one agent may call toolcall(), all tools together: a token bucket of {@code burst}
 * calls refilled at {@code perSecond}. agentd.yaml sets the default ({@code toolcalls_per_second},
 * {@code toolcall_burst}); a manifest's {@code limits} overrides it for its agent. The bucket is
 * the gateway's, in memory: it protects agentd from a runaway agent, while a grant's own
 * {@code rate} (the broker's, persisted) is the budget a person set.
 */
public record ToolcallRate(long perSecond, long burst) {

    /** 200 calls per second with bursts of 200: agentd's fixed limit before it was configurable. */
    public static final ToolcallRate DEFAULT = new ToolcallRate(200, 200);

    public ToolcallRate {
        if (perSecond < 1 || perSecond > Limits.MAX_TOOLCALL_RATE) {
            throw new IllegalArgumentException("toolcalls_per_second must be from 1 to " + Limits.MAX_TOOLCALL_RATE
                    + ", got " + perSecond);
        }
        if (burst < 1 || burst > Limits.MAX_TOOLCALL_RATE) {
            throw new IllegalArgumentException("toolcall_burst must be from 1 to " + Limits.MAX_TOOLCALL_RATE
                    + ", got " + burst);
        }
    }

    /**
     * The rate for an agent whose manifest says {@code limits}: each value the manifest gives wins;
     * a manifest that sets only the rate gets a burst of one second's worth of it.
     */
    ToolcallRate forAgent(Limits limits) {
        long rate = limits.toolcallsPerSecond().orElse(perSecond);
        long b = limits.toolcallBurst().orElse(limits.toolcallsPerSecond().isPresent() ? rate : burst);
        return new ToolcallRate(rate, b);
    }

    /**
     * As the broker's {@link Rate}: {@code burst} calls per {@code burst / perSecond} seconds is a
     * bucket of {@code burst} refilled at {@code perSecond}. The period is rounded up to whole
     * nanoseconds, so the sustained rate is never above {@code perSecond}.
     */
    Rate asRate() {
        long nanos = (burst * 1_000_000_000L + perSecond - 1) / perSecond; // at most 1e15: no overflow
        return new Rate(burst, Duration.ofNanos(nanos));
    }

    /** For messages: {@code 200/s, bursts of 400}. */
    @Override
    public String toString() {
        return perSecond + "/s" + (burst == perSecond ? "" : ", bursts of " + burst);
    }
}
