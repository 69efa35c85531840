package dev.agentd.cgroups;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LimitSyntaxTest {

    private static void assertInvalid(String expectedMessage, Runnable parse) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, parse::run);
        assertEquals(expectedMessage, e.getMessage());
    }

    @Test
    void parseMemory_suffixM() {
        assertEquals(512L * 1024 * 1024, LimitSyntax.parseMemory("512M"));
    }

    @Test
    void parseMemory_suffixG() {
        assertEquals(2L << 30, LimitSyntax.parseMemory("2G"));
    }

    @Test
    void parseMemory_lowercaseSuffix() {
        assertEquals(2L << 30, LimitSyntax.parseMemory("2g"));
        assertEquals(1024L * 1024, LimitSyntax.parseMemory("1024k"));
    }

    @Test
    void parseMemory_suffixK() {
        assertEquals(1024L * 1024, LimitSyntax.parseMemory("1024K"));
    }

    @Test
    void parseMemory_suffixT() {
        assertEquals(1L << 40, LimitSyntax.parseMemory("1T"));
    }

    @Test
    void parseMemory_fractionWithSuffix() {
        assertEquals(1610612736L, LimitSyntax.parseMemory("1.5G"));
    }

    @Test
    void parseMemory_fractionRoundsDownToWholeBytes() {
        assertEquals(1331L, LimitSyntax.parseMemory("1.3K")); // 1331.2
    }

    @Test
    void parseMemory_plainBytes() {
        assertEquals(1048576L, LimitSyntax.parseMemory("1048576"));
        assertEquals(0L, LimitSyntax.parseMemory("0"));
    }

    @Test
    void parseMemory_max() {
        assertEquals(CgroupLimits.MAX, LimitSyntax.parseMemory("max"));
        assertEquals(CgroupLimits.MAX, LimitSyntax.parseMemory("MAX"));
    }

    @Test
    void parseMemory_surroundingWhitespace_ignored() {
        assertEquals(512L << 20, LimitSyntax.parseMemory(" 512M\n"));
    }

    @Test
    void parseMemory_unknownSuffix_namesValueAndExpectation() {
        assertInvalid("invalid memory size \"12Q\": expected a number with optional K, M, G or T suffix, or \"max\"",
                () -> LimitSyntax.parseMemory("12Q"));
    }

    @Test
    void parseMemory_negative_rejected() {
        assertInvalid("invalid memory size \"-1\": expected a number with optional K, M, G or T suffix, or \"max\"",
                () -> LimitSyntax.parseMemory("-1"));
    }

    @Test
    void parseMemory_empty_rejected() {
        assertInvalid("invalid memory size \"\": expected a number with optional K, M, G or T suffix, or \"max\"",
                () -> LimitSyntax.parseMemory(""));
    }

    @Test
    void parseMemory_unitWord_rejected() {
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseMemory("512MB"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseMemory("1e9"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseMemory("5 M"));
    }

    @Test
    void parseMemory_fractionWithoutSuffix_rejected() {
        assertInvalid("invalid memory size \"1.5\": expected whole bytes; a fraction needs a K, M, G or T suffix",
                () -> LimitSyntax.parseMemory("1.5"));
    }

    @Test
    void parseMemory_overflow_rejected() {
        assertInvalid("invalid memory size \"8388608T\": expected at most 9223372036854775806 bytes, or \"max\"",
                () -> LimitSyntax.parseMemory("8388608T"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseMemory("99999999999999999999"));
    }

    @Test
    void parseMemory_null_rejected() {
        assertThrows(NullPointerException.class, () -> LimitSyntax.parseMemory(null));
    }

    @Test
    void parseCpus_half() {
        assertEquals(new CpuQuota(50_000, 100_000), LimitSyntax.parseCpus("0.5"));
    }

    @Test
    void parseCpus_whole() {
        assertEquals(new CpuQuota(200_000, 100_000), LimitSyntax.parseCpus("2"));
    }

    @Test
    void parseCpus_max() {
        assertEquals(CpuQuota.unlimited(), LimitSyntax.parseCpus("max"));
        assertEquals(true, LimitSyntax.parseCpus("max").isUnlimited());
    }

    @Test
    void parseCpus_smallestAllowed() {
        assertEquals(new CpuQuota(1_000, 100_000), LimitSyntax.parseCpus("0.01"));
    }

    @Test
    void parseCpus_belowKernelMinimum_rejected() {
        assertInvalid("invalid CPU count \"0.001\": expected at least 0.01 (the kernel's minimum quota is 1 ms per 100 ms period)",
                () -> LimitSyntax.parseCpus("0.001"));
    }

    @Test
    void parseCpus_zero_rejected() {
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseCpus("0"));
    }

    @Test
    void parseCpus_garbage_namesValueAndExpectation() {
        assertInvalid("invalid CPU count \"two\": expected a positive number of CPUs such as 0.5 or 2, or \"max\"",
                () -> LimitSyntax.parseCpus("two"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseCpus("-1"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parseCpus("50%"));
    }

    @Test
    void parsePids_number() {
        assertEquals(256L, LimitSyntax.parsePids("256"));
        assertEquals(0L, LimitSyntax.parsePids("0"));
    }

    @Test
    void parsePids_max() {
        assertEquals(CgroupLimits.MAX, LimitSyntax.parsePids("max"));
    }

    @Test
    void parsePids_negative_rejected() {
        assertInvalid("invalid pids limit \"-5\": expected a non-negative whole number, or \"max\"",
                () -> LimitSyntax.parsePids("-5"));
    }

    @Test
    void parsePids_suffixOrFraction_rejected() {
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parsePids("1K"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parsePids("1.5"));
        assertThrows(IllegalArgumentException.class, () -> LimitSyntax.parsePids("99999999999999999999"));
    }
}
