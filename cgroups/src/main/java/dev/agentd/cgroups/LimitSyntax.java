package dev.agentd.cgroups;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses limits in the syntax users know from Docker, systemd and the cgroup
 * files themselves. Pure: no I/O, no kernel. Every bad value is an
 * {@link IllegalArgumentException} that quotes the value and says what was expected.
 *
 * <ul>
 *   <li>memory: {@code 512M}, {@code 1.5G}, {@code 1024K}, {@code 2g}, {@code 1T},
 *       plain bytes {@code 1048576}, or {@code max}. Suffixes are binary (K = 1024)
 *       and case-insensitive; fractions round down to whole bytes.</li>
 *   <li>CPUs: {@code 0.5}, {@code 2}, {@code max}, turned into a {@link CpuQuota}
 *       with the default 100 ms period.</li>
 *   <li>pids: a non-negative number or {@code max}.</li>
 * </ul>
 * {@code max} stands for {@link CgroupLimits#MAX} (no limit), as in the v2 files.
 */
public final class LimitSyntax {
    private LimitSyntax() {}

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([kmgtKMGT]?)");
    private static final Pattern DECIMAL = Pattern.compile("\\d+(?:\\.\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("\\d+");

    /**
     * The smallest quota the kernel accepts: 1 ms
     * (Documentation/scheduler/sched-bwc.rst, {@code min_cfs_quota_period}).
     */
    static final long MIN_QUOTA_MICROS = 1_000;

    private static final String MEMORY_EXPECTED = "expected a number with optional K, M, G or T suffix, or \"max\"";
    private static final String CPUS_EXPECTED = "expected a positive number of CPUs such as 0.5 or 2, or \"max\"";
    private static final String PIDS_EXPECTED = "expected a non-negative whole number, or \"max\"";

    /**
     * A memory size in bytes, or {@link CgroupLimits#MAX} for {@code max}.
     *
     * @throws IllegalArgumentException e.g. {@code invalid memory size "12Q": expected a
     *         number with optional K, M, G or T suffix, or "max"}
     */
    public static long parseMemory(String text) {
        Objects.requireNonNull(text, "memory size");
        String s = text.strip();
        if (isMax(s)) {
            return CgroupLimits.MAX;
        }
        Matcher m = SIZE.matcher(s);
        if (!m.matches()) {
            throw invalid("memory size", text, MEMORY_EXPECTED);
        }
        String suffix = m.group(2).toUpperCase(Locale.ROOT);
        if (suffix.isEmpty() && m.group(1).contains(".")) {
            throw invalid("memory size", text, "expected whole bytes; a fraction needs a K, M, G or T suffix");
        }
        int shift = suffix.isEmpty() ? 0 : 10 * ("KMGT".indexOf(suffix.charAt(0)) + 1);
        BigInteger bytes = new BigDecimal(m.group(1)).multiply(new BigDecimal(BigInteger.ONE.shiftLeft(shift)))
                .setScale(0, RoundingMode.DOWN).toBigIntegerExact();
        // Long.MAX_VALUE itself is reserved for "max".
        if (bytes.compareTo(BigInteger.valueOf(CgroupLimits.MAX)) >= 0) {
            throw invalid("memory size", text, "expected at most " + (CgroupLimits.MAX - 1) + " bytes, or \"max\"");
        }
        return bytes.longValueExact();
    }

    /**
     * A CPU count as a quota per {@link CpuQuota#DEFAULT_PERIOD_MICROS}
     * ({@code 0.5} is 50000 µs per 100000 µs), or {@link CpuQuota#unlimited()} for {@code max}.
     *
     * @throws IllegalArgumentException for anything else, including counts below 0.01
     *         (the kernel refuses quotas under 1 ms)
     */
    public static CpuQuota parseCpus(String text) {
        Objects.requireNonNull(text, "CPU count");
        String s = text.strip();
        if (isMax(s)) {
            return CpuQuota.unlimited();
        }
        if (!DECIMAL.matcher(s).matches()) {
            throw invalid("CPU count", text, CPUS_EXPECTED);
        }
        BigDecimal quota = new BigDecimal(s).multiply(BigDecimal.valueOf(CpuQuota.DEFAULT_PERIOD_MICROS))
                .setScale(0, RoundingMode.HALF_UP);
        if (quota.compareTo(BigDecimal.valueOf(MIN_QUOTA_MICROS)) < 0) {
            throw invalid("CPU count", text, "expected at least 0.01 (the kernel's minimum quota is 1 ms per 100 ms period)");
        }
        if (quota.compareTo(BigDecimal.valueOf(CgroupLimits.MAX)) >= 0) {
            throw invalid("CPU count", text, CPUS_EXPECTED);
        }
        return CpuQuota.ofQuota(quota.longValueExact());
    }

    /**
     * A process count, or {@link CgroupLimits#MAX} for {@code max}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static long parsePids(String text) {
        Objects.requireNonNull(text, "pids limit");
        String s = text.strip();
        if (isMax(s)) {
            return CgroupLimits.MAX;
        }
        if (!INTEGER.matcher(s).matches()) {
            throw invalid("pids limit", text, PIDS_EXPECTED);
        }
        try {
            long v = Long.parseLong(s);
            if (v == CgroupLimits.MAX) {
                throw invalid("pids limit", text, PIDS_EXPECTED);
            }
            return v;
        } catch (NumberFormatException e) {
            throw invalid("pids limit", text, PIDS_EXPECTED);
        }
    }

    private static boolean isMax(String s) {
        return s.equalsIgnoreCase("max");
    }

    private static IllegalArgumentException invalid(String what, String text, String expected) {
        return new IllegalArgumentException("invalid " + what + " \"" + text + "\": " + expected);
    }
}
