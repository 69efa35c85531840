package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateTest {

    @Test
    void parse_units() {
        assertEquals(new Rate(10, Duration.ofMinutes(1)), Rate.parse("10/m"));
        assertEquals(new Rate(5, Duration.ofSeconds(1)), Rate.parse("5/s"));
        assertEquals(new Rate(100, Duration.ofHours(1)), Rate.parse("100/h"));
        assertEquals(new Rate(1000, Duration.ofDays(1)), Rate.parse("1000/d"));
        assertEquals(new Rate(3, Duration.ofSeconds(10)), Rate.parse("3/10s"));
        assertEquals(new Rate(20, Duration.ofMillis(500)), Rate.parse("20/500ms"));
    }

    @Test
    void parse_invalid_namesInputAndExpectedForm() {
        for (String bad : new String[] {"", "10", "10/x", "0/m", "-1/m", "10/0s", "ten/m", "10/m/s"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Rate.parse(bad), bad);
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Rate.parse("10/y")).getMessage()
                .contains("expected COUNT/[N]UNIT"));
    }

    @Test
    void toString_roundTrips() {
        for (String s : new String[] {"10/m", "5/s", "100/h", "1000/d", "3/10s", "20/500ms", "7/90m"}) {
            assertEquals(Rate.parse(s), Rate.parse(Rate.parse(s).toString()), s);
        }
        assertEquals("10/m", Rate.parse("10/m").toString());
    }

    @Test
    void noLooserThan_comparesSustainedRateAndBurst() {
        Rate tenPerMinute = Rate.parse("10/m");
        assertTrue(Rate.parse("10/m").noLooserThan(tenPerMinute));
        assertTrue(Rate.parse("5/m").noLooserThan(tenPerMinute));
        assertTrue(Rate.parse("1/10s").noLooserThan(tenPerMinute));
        assertFalse(Rate.parse("11/m").noLooserThan(tenPerMinute));
        assertFalse(Rate.parse("1/s").noLooserThan(tenPerMinute));
        // Same sustained rate, but a burst of 20 where the parent allows 10.
        assertFalse(Rate.parse("20/2m").noLooserThan(tenPerMinute));
    }

    @Test
    void constructor_refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new Rate(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Rate(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Rate(1, Duration.ofDays(365L * 1000)));
    }

    @Test
    void gcra_fullBucketHoldsExactlyCount() {
        Rate r = Rate.parse("7/m"); // 60 s / 7 is not a whole number of nanoseconds
        Long tat = null;
        long now = 1_000_000_000_000L;
        for (int i = 0; i < 7; i++) {
            assertTrue(Gcra.waitNanos(r, tat, now) <= 0, "token " + i);
            tat = Gcra.take(r, tat, now);
        }
        assertTrue(Gcra.waitNanos(r, tat, now) > 0);
        // One emission interval later, exactly one more.
        long later = now + Gcra.emissionNanos(r);
        assertTrue(Gcra.waitNanos(r, tat, later) <= 0);
        tat = Gcra.take(r, tat, later);
        assertTrue(Gcra.waitNanos(r, tat, later) > 0);
    }
}
