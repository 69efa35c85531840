package dev.agentd.manifest;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The {@code limits} section: bounds on what the agent may ask of agentd, as opposed to the
 * kernel's {@link Resources}. Each is optional; an absent one takes agentd's default
 * ({@code agentd.yaml}).
 *
 * @param toolcallsPerSecond sustained rate of the agent's toolcall() calls, all tools together
 * @param toolcallBurst      calls the agent may make at once above that rate (the token bucket's
 *                           size); when absent but {@code toolcallsPerSecond} is given, equal to it
 */
public record Limits(OptionalLong toolcallsPerSecond, OptionalLong toolcallBurst) {

    /** The largest toolcall rate and burst a manifest or agentd.yaml may set. */
    public static final long MAX_TOOLCALL_RATE = 1_000_000;

    /** No limits given: agentd's defaults apply. */
    public static final Limits NONE = new Limits(OptionalLong.empty(), OptionalLong.empty());

    public Limits {
        Objects.requireNonNull(toolcallsPerSecond, "toolcallsPerSecond");
        Objects.requireNonNull(toolcallBurst, "toolcallBurst");
        check("toolcalls_per_second", toolcallsPerSecond);
        check("toolcall_burst", toolcallBurst);
    }

    private static void check(String name, OptionalLong v) {
        if (v.isPresent() && (v.getAsLong() < 1 || v.getAsLong() > MAX_TOOLCALL_RATE)) {
            throw new IllegalArgumentException(name + " must be from 1 to " + MAX_TOOLCALL_RATE + ", got " + v.getAsLong());
        }
    }
}
