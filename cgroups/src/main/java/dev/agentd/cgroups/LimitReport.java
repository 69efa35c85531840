package dev.agentd.cgroups;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The outcome of applying {@link CgroupLimits}: which limits were written and
 * which this machine cannot enforce, each with a reason such as
 * {@code "cgroup v1 has no memory.high"}.
 *
 * @param applied limits written to the kernel
 * @param unsupported limits not applied, with the reason for each
 */
public record LimitReport(Set<Limit> applied, Map<Limit, String> unsupported) {

    public LimitReport {
        applied = Collections.unmodifiableSet(applied.isEmpty() ? EnumSet.noneOf(Limit.class) : EnumSet.copyOf(applied));
        unsupported = Collections.unmodifiableMap(unsupported.isEmpty() ? new EnumMap<>(Limit.class) : new EnumMap<>(unsupported));
    }

    /** A report with nothing applied and nothing missing (no limits were requested). */
    public static LimitReport empty() {
        return new LimitReport(Set.of(), Map.of());
    }

    /** True when every requested limit was applied. */
    public boolean complete() {
        return unsupported.isEmpty();
    }
}
