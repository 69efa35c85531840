package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanTest {

    @ParameterizedTest
    @CsvSource({"0, 0 B", "1023, 1023 B", "1024, 1.0 KiB", "123456, 120.6 KiB", "536870912, 512.0 MiB",
        "1073741824, 1.0 GiB", "9223372036854775807, 8.0 EiB"})
    void bytes_usesIecUnits(long n, String expected) {
        assertEquals(expected, Human.bytes(n));
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "59, 59s", "60, 1m00s", "192, 3m12s", "3600, 1h00m", "7380, 2h03m", "86400, 1d00h",
        "273600, 3d04h", "-5, 0s"})
    void duration_isCoarseAndShort(long seconds, String expected) {
        assertEquals(expected, Human.duration(Duration.ofSeconds(seconds)));
    }

    @ParameterizedTest
    @CsvSource({"850, 850us", "1200, 1.2ms", "4210000, 4.21s", "90000000, 1m30s"})
    void cpu_isPreciseWhenSmall(long usec, String expected) {
        assertEquals(expected, Human.cpu(usec));
    }

    @org.junit.jupiter.api.Test
    void bytesAndCpu_unknownWhenNull() {
        assertEquals("unknown", Human.bytes(null));
        assertEquals("unknown", Human.cpu(null));
    }

    @org.junit.jupiter.api.Test
    void printable_escapesWhatCouldActOnATerminal() {
        assertEquals("a\\nb\\tc\\r", Human.printable("a\nb\tc\r"));
        assertEquals("\\u001b[31mred", Human.printable("\u001b[31mred"));
        assertEquals("x\\u009by\\u202ez\\u007f", Human.printable("x\u009by\u202ez\u007f"));
        assertEquals("caf\u00e9 \u2190 \u65e5\u672c", Human.printable("caf\u00e9 \u2190 \u65e5\u672c"));
        assertEquals("-", Human.printable(null));
    }

    @org.junit.jupiter.api.Test
    void untilAndAge_areRelativeToNow() {
        java.time.Instant now = java.time.Instant.parse("2026-11-22T00:00:00Z");
        assertEquals("in 1h00m", Human.until(now.plusSeconds(3600), now));
        assertEquals("expired", Human.until(now, now));
        assertEquals("-", Human.until(null, now));
        assertEquals("3m12s", Human.age(now.minusSeconds(192), now));
    }
}
