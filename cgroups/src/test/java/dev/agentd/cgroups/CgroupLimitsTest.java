package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CgroupLimitsTest {

    @Test
    void build_allLimits_keepsValues() {
        CgroupLimits l = CgroupLimits.builder().memoryMax("1G").memoryHigh("512M").swapMax(0).cpus("2").cpuWeight(50)
                .pidsMax(100).ioWeight(500).build();

        assertEquals(1L << 30, l.memoryMax().getAsLong());
        assertEquals(512L << 20, l.memoryHigh().getAsLong());
        assertEquals(0, l.swapMax().getAsLong());
        assertEquals(new CpuQuota(200_000, 100_000), l.cpuMax().orElseThrow());
        assertEquals(50, l.cpuWeight().getAsInt());
        assertEquals(100, l.pidsMax().getAsLong());
        assertEquals(500, l.ioWeight().getAsInt());
        assertEquals(EnumSet.allOf(Limit.class), l.requested());
    }

    @Test
    void none_requestsNothing() {
        assertEquals(Set.of(), CgroupLimits.none().requested());
        assertTrue(CgroupLimits.none().memoryMax().isEmpty());
    }

    @Test
    void build_swapWithoutMemory_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CgroupLimits.builder().swapMax(0).build());
        assertTrue(e.getMessage().startsWith("swapMax needs memoryMax"));
    }

    @Test
    void build_highAboveMax_rejected() {
        assertThrows(IllegalArgumentException.class,
                () -> CgroupLimits.builder().memoryMax("1G").memoryHigh("2G").build());
        // max is fine: "no throttling"
        CgroupLimits.builder().memoryMax("1G").memoryHigh("max").build();
    }

    @Test
    void weight_outOfRange_rejected() {
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.builder().cpuWeight(0));
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.builder().cpuWeight(10_001));
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.builder().ioWeight(0));
    }

    @Test
    void negative_rejected() {
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.builder().memoryMax(-1));
        assertThrows(IllegalArgumentException.class, () -> CgroupLimits.builder().pidsMax(-1));
    }

    @Test
    void cpuQuota_nonPositive_rejected() {
        assertThrows(IllegalArgumentException.class, () -> new CpuQuota(0, 100_000));
        assertThrows(IllegalArgumentException.class, () -> new CpuQuota(1000, 0));
    }

    @Test
    void equalsAndToString_valueSemantics() {
        CgroupLimits a = CgroupLimits.builder().memoryMax("max").pidsMax(5).build();
        CgroupLimits b = CgroupLimits.builder().memoryMax(CgroupLimits.MAX).pidsMax("5").build();

        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals("CgroupLimits{memoryMax=max, pidsMax=5}", a.toString());
    }

    @Test
    void limitReport_isImmutableCopy() {
        LimitReport r = new LimitReport(EnumSet.of(Limit.PIDS_MAX), Map.of(Limit.MEMORY_HIGH, "why"));

        assertThrows(UnsupportedOperationException.class, () -> r.applied().add(Limit.CPU_MAX));
        assertEquals(false, r.complete());
        assertTrue(LimitReport.empty().complete());
    }

    @Test
    void unsupportedLimitException_messageListsLimitsAndReasons() {
        UnsupportedLimitException e = new UnsupportedLimitException(
                new LimitReport(Set.of(), Map.of(Limit.MEMORY_HIGH, "no memory.high", Limit.IO_WEIGHT, "no io")));

        assertEquals("cgroup limits not supported here: MEMORY_HIGH (no memory.high); IO_WEIGHT (no io)", e.getMessage());
    }
}
