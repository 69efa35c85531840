package dev.agentd.cgroups.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The v2-scale to v1-scale conversions, pinned to runc's formulas. */
class ConversionTest {

    @Test
    void shares_endsOfRange() {
        assertEquals(2, Cpu.shares(1));
        assertEquals(262_144, Cpu.shares(10_000));
    }

    @Test
    void shares_defaultWeight() {
        // 2 + (99 * 262142) / 9999 = 2 + 2595 (integer division)
        assertEquals(2597, Cpu.shares(100));
    }

    @Test
    void blkioWeight_endsOfRange() {
        assertEquals(10, Blkio.weight(1));
        assertEquals(1000, Blkio.weight(10_000));
        assertEquals(504, Blkio.weight(5_000)); // 10 + 4999 * 990 / 9999
    }
}
