package dev.agentd.cgroups;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * Thrown in {@link LimitMode#STRICT} when the running kernel or cgroup layout
 * cannot enforce one or more requested limits (for example {@code memory.high}
 * on cgroup v1, or a controller that is not mounted). Nothing was written when
 * this is thrown, and a cgroup being created was removed again.
 */
public class UnsupportedLimitException extends CgroupException {
    private static final long serialVersionUID = 1L;

    private final transient LimitReport report;

    public UnsupportedLimitException(LimitReport report) {
        super(message(report));
        this.report = report;
    }

    /** Which limits were (or would have been) applied and which are unsupported, with reasons. */
    public LimitReport report() {
        return report;
    }

    private static String message(LimitReport report) {
        return "cgroup limits not supported here: " + report.unsupported().entrySet().stream()
                .map((Map.Entry<Limit, String> e) -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining("; "));
    }
}
