package dev.agentd.cgroups.internal;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.Limit;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.cgroups.LimitReport;
import dev.agentd.cgroups.UnsupportedLimitException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes that apply a {@link CgroupLimits}, collected first and executed
 * after: so that in strict mode an unsupported limit is found before anything
 * is written, and so that tests can read the exact order of writes.
 */
public final class LimitPlan {

    /** One file write. */
    public record Write(Limit limit, Path file, String value) {}

    private final CgroupLimits limits;
    private final List<Write> writes = new ArrayList<>();
    private final Map<Limit, String> unsupported = new EnumMap<>(Limit.class);

    public LimitPlan(CgroupLimits limits) {
        this.limits = limits;
    }

    public CgroupLimits limits() {
        return limits;
    }

    /** Schedules a write that applies (part of) {@code limit}. */
    public void write(Limit limit, Path file, String value) {
        writes.add(new Write(limit, file, value));
    }

    /** Records that {@code limit} cannot be applied here, and why. The first reason given wins. */
    public void unsupported(Limit limit, String reason) {
        unsupported.putIfAbsent(limit, reason);
    }

    /** Marks every requested limit among {@code owned} as unsupported for {@code reason}. */
    public void unsupportedAll(Collection<Limit> owned, String reason) {
        for (Limit l : owned) {
            if (limits.requested().contains(l)) {
                unsupported(l, reason);
            }
        }
    }

    public List<Write> writes() {
        return List.copyOf(writes);
    }

    /** The report for this plan: requested limits minus the unsupported ones count as applied. */
    public LimitReport report() {
        Set<Limit> applied = EnumSet.noneOf(Limit.class);
        applied.addAll(limits.requested());
        applied.removeAll(unsupported.keySet());
        return new LimitReport(applied, unsupported);
    }

    /**
     * In {@link LimitMode#STRICT}, throws if anything is unsupported (writing
     * nothing); otherwise performs the writes in order and returns the report.
     * The first failed write stops the plan and is thrown.
     */
    public LimitReport execute(LimitMode mode, CgroupFs fs) throws CgroupException {
        LimitReport report = report();
        if (mode == LimitMode.STRICT && !report.complete()) {
            throw new UnsupportedLimitException(report);
        }
        for (Write w : writes) {
            // A limit reported unsupported is never half-applied.
            if (!report.unsupported().containsKey(w.limit())) {
                fs.write(w.file(), w.value());
            }
        }
        return report;
    }
}
