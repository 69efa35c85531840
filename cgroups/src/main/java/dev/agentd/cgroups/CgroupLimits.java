package dev.agentd.cgroups;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Resource limits for one cgroup: an immutable value, built and validated in
 * Java before anything touches the kernel. Every limit is optional; an unset
 * limit leaves the kernel's default (normally "no limit") in place.
 *
 * <pre>{@code
 * CgroupLimits limits = CgroupLimits.builder()
 *         .memoryMax("512M")     // hard cap; the OOM killer acts above it
 *         .memoryHigh("400M")    // v2 only: reclaim/throttle above it
 *         .swapMax("0")          // no swap; needs memoryMax (v1 counts memory + swap)
 *         .cpus("1.5")           // 150 ms of CPU per 100 ms
 *         .cpuWeight(100)        // 1..10000, v2 scale; v1 converts to cpu.shares
 *         .pidsMax("256")
 *         .ioWeight(100)         // 1..10000, v2 scale; v1 converts to blkio weight
 *         .build();
 * }</pre>
 *
 * <p>Values use bytes, microseconds and counts; {@link #MAX} means an explicit
 * "no limit" (written as {@code max}, or {@code -1} on v1). The string setters
 * accept the {@link LimitSyntax} forms.
 */
public final class CgroupLimits {

    /** An explicit "no limit" for any numeric limit (written {@code max} in v2 files, {@code -1} in v1). */
    public static final long MAX = Long.MAX_VALUE;

    /**
     * Range of {@code cpu.weight} and {@code io.weight}: {@code CGROUP_WEIGHT_MIN}
     * and {@code CGROUP_WEIGHT_MAX} in include/linux/cgroup.h (default 100).
     */
    public static final int WEIGHT_MIN = 1;
    /** See {@link #WEIGHT_MIN}. */
    public static final int WEIGHT_MAX = 10_000;

    private static final CgroupLimits NONE = builder().build();

    private final Long memoryMax;
    private final Long memoryHigh;
    private final Long swapMax;
    private final CpuQuota cpuMax;
    private final Integer cpuWeight;
    private final Long pidsMax;
    private final Integer ioWeight;

    private CgroupLimits(Builder b) {
        this.memoryMax = b.memoryMax;
        this.memoryHigh = b.memoryHigh;
        this.swapMax = b.swapMax;
        this.cpuMax = b.cpuMax;
        this.cpuWeight = b.cpuWeight;
        this.pidsMax = b.pidsMax;
        this.ioWeight = b.ioWeight;
    }

    /** No limits at all. */
    public static CgroupLimits none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Hard memory cap in bytes, or {@link #MAX}. */
    public OptionalLong memoryMax() {
        return opt(memoryMax);
    }

    /** Memory throttling threshold in bytes, or {@link #MAX}. cgroup v2 only. */
    public OptionalLong memoryHigh() {
        return opt(memoryHigh);
    }

    /** Swap cap in bytes (swap alone, not memory + swap), or {@link #MAX}. */
    public OptionalLong swapMax() {
        return opt(swapMax);
    }

    /** CPU bandwidth cap. */
    public Optional<CpuQuota> cpuMax() {
        return Optional.ofNullable(cpuMax);
    }

    /** CPU weight, {@value #WEIGHT_MIN}..{@value #WEIGHT_MAX} (v2 scale). */
    public OptionalInt cpuWeight() {
        return cpuWeight == null ? OptionalInt.empty() : OptionalInt.of(cpuWeight);
    }

    /** Maximum number of tasks (processes and threads), or {@link #MAX}. */
    public OptionalLong pidsMax() {
        return opt(pidsMax);
    }

    /** I/O weight, {@value #WEIGHT_MIN}..{@value #WEIGHT_MAX} (v2 scale). */
    public OptionalInt ioWeight() {
        return ioWeight == null ? OptionalInt.empty() : OptionalInt.of(ioWeight);
    }

    /** The limits that are set. */
    public Set<Limit> requested() {
        Set<Limit> s = EnumSet.noneOf(Limit.class);
        if (memoryMax != null) {
            s.add(Limit.MEMORY_MAX);
        }
        if (memoryHigh != null) {
            s.add(Limit.MEMORY_HIGH);
        }
        if (swapMax != null) {
            s.add(Limit.SWAP_MAX);
        }
        if (cpuMax != null) {
            s.add(Limit.CPU_MAX);
        }
        if (cpuWeight != null) {
            s.add(Limit.CPU_WEIGHT);
        }
        if (pidsMax != null) {
            s.add(Limit.PIDS_MAX);
        }
        if (ioWeight != null) {
            s.add(Limit.IO_WEIGHT);
        }
        return s;
    }

    private static OptionalLong opt(Long v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CgroupLimits)) {
            return false;
        }
        CgroupLimits l = (CgroupLimits) o;
        return Objects.equals(memoryMax, l.memoryMax) && Objects.equals(memoryHigh, l.memoryHigh)
                && Objects.equals(swapMax, l.swapMax) && Objects.equals(cpuMax, l.cpuMax)
                && Objects.equals(cpuWeight, l.cpuWeight) && Objects.equals(pidsMax, l.pidsMax)
                && Objects.equals(ioWeight, l.ioWeight);
    }

    @Override
    public int hashCode() {
        return Objects.hash(memoryMax, memoryHigh, swapMax, cpuMax, cpuWeight, pidsMax, ioWeight);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("CgroupLimits{");
        String sep = "";
        if (memoryMax != null) {
            sb.append(sep).append("memoryMax=").append(show(memoryMax));
            sep = ", ";
        }
        if (memoryHigh != null) {
            sb.append(sep).append("memoryHigh=").append(show(memoryHigh));
            sep = ", ";
        }
        if (swapMax != null) {
            sb.append(sep).append("swapMax=").append(show(swapMax));
            sep = ", ";
        }
        if (cpuMax != null) {
            sb.append(sep).append("cpuMax=").append(show(cpuMax.quotaMicros())).append('/').append(cpuMax.periodMicros());
            sep = ", ";
        }
        if (cpuWeight != null) {
            sb.append(sep).append("cpuWeight=").append(cpuWeight);
            sep = ", ";
        }
        if (pidsMax != null) {
            sb.append(sep).append("pidsMax=").append(show(pidsMax));
            sep = ", ";
        }
        if (ioWeight != null) {
            sb.append(sep).append("ioWeight=").append(ioWeight);
        }
        return sb.append('}').toString();
    }

    private static String show(long v) {
        return v == MAX ? "max" : Long.toString(v);
    }

    /**
     * Builds {@link CgroupLimits}. Setters reject out-of-range values at once
     * ({@link IllegalArgumentException}); {@link #build()} checks combinations.
     * Setting a limit twice keeps the last value.
     */
    public static final class Builder {
        private Long memoryMax;
        private Long memoryHigh;
        private Long swapMax;
        private CpuQuota cpuMax;
        private Integer cpuWeight;
        private Long pidsMax;
        private Integer ioWeight;

        private Builder() {}

        /** Hard memory cap in bytes (≥ 0) or {@link CgroupLimits#MAX}. */
        public Builder memoryMax(long bytes) {
            this.memoryMax = nonNegative("memoryMax", bytes);
            return this;
        }

        /** Hard memory cap, e.g. {@code "512M"}; see {@link LimitSyntax#parseMemory}. */
        public Builder memoryMax(String size) {
            return memoryMax(LimitSyntax.parseMemory(size));
        }

        /** Memory throttling threshold in bytes or {@link CgroupLimits#MAX}; must not exceed {@link #memoryMax}. */
        public Builder memoryHigh(long bytes) {
            this.memoryHigh = nonNegative("memoryHigh", bytes);
            return this;
        }

        /** Memory throttling threshold, e.g. {@code "400M"}. */
        public Builder memoryHigh(String size) {
            return memoryHigh(LimitSyntax.parseMemory(size));
        }

        /**
         * Swap cap in bytes (≥ 0) or {@link CgroupLimits#MAX}. Requires {@link #memoryMax}:
         * v1 can only express swap as a memory + swap total.
         */
        public Builder swapMax(long bytes) {
            this.swapMax = nonNegative("swapMax", bytes);
            return this;
        }

        /** Swap cap, e.g. {@code "0"} or {@code "1G"}. */
        public Builder swapMax(String size) {
            return swapMax(LimitSyntax.parseMemory(size));
        }

        /** CPU bandwidth cap. */
        public Builder cpuMax(CpuQuota quota) {
            this.cpuMax = Objects.requireNonNull(quota, "quota");
            return this;
        }

        /** CPU bandwidth cap as a CPU count, e.g. {@code "0.5"}; see {@link LimitSyntax#parseCpus}. */
        public Builder cpus(String cpus) {
            return cpuMax(LimitSyntax.parseCpus(cpus));
        }

        /** CPU weight {@value CgroupLimits#WEIGHT_MIN}..{@value CgroupLimits#WEIGHT_MAX}, on the v2 scale (default 100). */
        public Builder cpuWeight(int weight) {
            this.cpuWeight = weight("cpuWeight", weight);
            return this;
        }

        /** Task limit (≥ 0) or {@link CgroupLimits#MAX}. */
        public Builder pidsMax(long pids) {
            this.pidsMax = nonNegative("pidsMax", pids);
            return this;
        }

        /** Task limit, e.g. {@code "256"} or {@code "max"}. */
        public Builder pidsMax(String pids) {
            return pidsMax(LimitSyntax.parsePids(pids));
        }

        /** I/O weight {@value CgroupLimits#WEIGHT_MIN}..{@value CgroupLimits#WEIGHT_MAX}, on the v2 scale (default 100). */
        public Builder ioWeight(int weight) {
            this.ioWeight = weight("ioWeight", weight);
            return this;
        }

        /**
         * The limits.
         *
         * @throws IllegalArgumentException if {@code swapMax} is set without
         *         {@code memoryMax}, or {@code memoryHigh} exceeds {@code memoryMax}
         *         (it would never take effect)
         */
        public CgroupLimits build() {
            if (swapMax != null && memoryMax == null) {
                throw new IllegalArgumentException("swapMax needs memoryMax: cgroup v1 limits memory + swap as one total");
            }
            if (memoryHigh != null && memoryMax != null && memoryHigh != MAX && memoryHigh > memoryMax) {
                throw new IllegalArgumentException("memoryHigh (" + memoryHigh + ") above memoryMax (" + memoryMax
                        + ") would never take effect");
            }
            return new CgroupLimits(this);
        }

        private static long nonNegative(String what, long v) {
            if (v < 0) {
                throw new IllegalArgumentException(what + " must be >= 0 or CgroupLimits.MAX, got " + v);
            }
            return v;
        }

        private static int weight(String what, int v) {
            if (v < WEIGHT_MIN || v > WEIGHT_MAX) {
                throw new IllegalArgumentException(what + " must be " + WEIGHT_MIN + ".." + WEIGHT_MAX + ", got " + v);
            }
            return v;
        }
    }
}
