package dev.agentd.manifest;

import java.util.Objects;

/**
 * One entry of {@code capabilities} or {@code approval_required}: a single permission for the
 * capability broker, such as {@code {net: api.example.com:443, rate: 10/m}}. Parsed and
 * validated now so that a manifest that will be enforced later is already known to be well
 * formed.
 *
 * @param kind        what is granted
 * @param value       the validated value: a tool/secret/model/agent name, a path grant in
 *                    manifest spelling ({@code /data/**}), or {@code HOST[:PORT]}
 * @param constraints limits on the grant; {@link GrantConstraints#NONE} when none are given
 */
public record Grant(GrantKind kind, String value, GrantConstraints constraints) {

    public Grant {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(constraints, "constraints");
    }

    /** A grant with no constraints. */
    public static Grant of(GrantKind kind, String value) {
        return new Grant(kind, value, GrantConstraints.NONE);
    }
}
