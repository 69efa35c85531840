package dev.agentd.manifest;

import dev.agentd.cgroups.CgroupLimits;
import java.util.Objects;

/**
 * The {@code resources} section. The cgroup limits are kept as the cgroups module's own
 * {@link CgroupLimits} (parsed with its {@code LimitSyntax}), so the manifest and the
 * spawner can never disagree about what {@code 1.5G} or {@code cpus: 0.5} means. An unset
 * limit is absent from {@link CgroupLimits#requested()}; an explicit {@code max} is
 * {@link CgroupLimits#MAX}.
 *
 * @param cgroup       memory, memory_high, swap, cpus, cpu_weight, pids and io_weight
 * @param tmpSizeBytes size of the agent's private {@code /tmp} tmpfs in bytes; always finite and
 *                     positive, because a tmpfs with {@code size=0} has no limit at all
 */
public record Resources(CgroupLimits cgroup, long tmpSizeBytes) {

    /** {@code tmp_size} when the manifest does not set it: 64 MiB. */
    public static final long DEFAULT_TMP_SIZE = 64L << 20;

    /** No cgroup limits and the default {@code /tmp} size. */
    public static final Resources DEFAULTS = new Resources(CgroupLimits.none(), DEFAULT_TMP_SIZE);

    public Resources {
        Objects.requireNonNull(cgroup, "cgroup");
        if (tmpSizeBytes <= 0 || tmpSizeBytes == CgroupLimits.MAX) {
            throw new IllegalArgumentException("tmpSizeBytes must be a positive, finite size, got " + tmpSizeBytes);
        }
    }
}
