package dev.agentd.toolcall;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What agentd audits about one {@code tools/call}, delivered to {@link CallListener}
 * before the answer is written to the socket.
 *
 * @param tool           the requested name (truncated to 200 chars: it is agent-chosen)
 * @param argsSha256     hex SHA-256 of the arguments' {@linkplain CanonicalJson canonical JSON}
 * @param argsPreview    the arguments with secret-looking keys masked, redacted, ≤ 200 chars
 * @param decision       {@code allowed}, {@code denied: <reason>}, {@code refused} (a check of the tool's,
 *                       such as a path outside every grant: {@link ToolRefusedException}; the reason is
 *                       in {@code error}), {@code unknown tool}, {@code invalid}, {@code approval denied},
 *                       {@code rate limited}, {@code busy}
 * @param durationMicros from the request's arrival to the answer (or cancellation)
 * @param resultBytes    size of the serialized result (0 when there was none)
 * @param error          why the call did not produce the tool's own successful result, if it did not
 *                       (tool error text, {@code timed out}, {@code cancelled}, {@code result too large}, ...)
 * @param grantId        the {@code tool:} grant the broker allowed the call under (and consumed an
 *                       invocation of), when it got that far
 */
public record CallRecord(String agentId, String tool, String argsSha256, String argsPreview, String decision,
                         long durationMicros, long resultBytes, Optional<String> error, OptionalLong grantId) {
    public CallRecord(String agentId, String tool, String argsSha256, String argsPreview, String decision,
                      long durationMicros, long resultBytes, Optional<String> error) {
        this(agentId, tool, argsSha256, argsPreview, decision, durationMicros, resultBytes, error, OptionalLong.empty());
    }

    public CallRecord {
        Objects.requireNonNull(grantId, "grantId");
        Objects.requireNonNull(agentId, "agentId");
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(argsSha256, "argsSha256");
        Objects.requireNonNull(argsPreview, "argsPreview");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(error, "error");
    }
}
