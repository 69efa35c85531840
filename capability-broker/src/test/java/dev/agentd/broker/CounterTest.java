package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The reserve-ahead rule of {@link Counter}, with the "database" as the last persisted values. */
class CounterTest {
    private static final long T0 = 1_000_000_000_000L;

    /** Takes one invocation the way the broker does: reserve if needed (then "commit"), then take. */
    private static Counter.Persisted take(Counter c, long now, Counter.Persisted db) {
        Counter.Persisted r = c.reservationFor(now);
        if (r != null) {
            c.persisted(r);
            db = r;
        }
        c.take(now);
        return db;
    }

    @Test
    void block_isASixteenthOfTheBudgetClamped() {
        assertEquals(1, Counter.block(OptionalLong.of(1)));
        assertEquals(1, Counter.block(OptionalLong.of(16)));
        assertEquals(1, Counter.block(OptionalLong.of(31)));
        assertEquals(6, Counter.block(OptionalLong.of(100)));
        assertEquals(1024, Counter.block(OptionalLong.of(1_000_000)));
        assertEquals(1024, Counter.block(OptionalLong.empty()));
        assertEquals(1, Counter.rateBlock(Rate.parse("10/m")));
        assertEquals(12, Counter.rateBlock(Rate.parse("200/s")));
    }

    @Test
    void reservationFor_reservesABlockOnlyWhenTheLastIsUsedUp() {
        Counter c = new Counter(OptionalLong.of(100), Optional.empty(), 0, null);
        int commits = 0;
        for (int i = 0; i < 100; i++) {
            Counter.Persisted r = c.reservationFor(T0);
            if (r != null) {
                commits++;
                assertTrue(r.used() >= c.used() + 1 && r.used() <= 100, r.toString());
                c.persisted(r);
            }
            c.take(T0);
            assertTrue(c.used() <= c.persistedUsed(), "never more handed out than persisted");
        }
        assertTrue(c.exhausted());
        assertEquals(17, commits, "ceil(100 / 6) blocks: not one commit per call");
        assertEquals(100, c.persistedUsed(), "the last block is cut at the budget");
    }

    @Test
    void take_withoutTheReservationCommitted_isRefused() {
        Counter c = new Counter(OptionalLong.of(5), Optional.empty(), 0, null);
        assertThrows(IllegalStateException.class, () -> c.take(T0));
        assertEquals(0, c.used());
    }

    @Test
    void crash_losesReservedInvocationsAndNeverGainsAny() {
        // Many "crashes" at random points: each restart starts from what was persisted.
        Random rnd = new Random(11);
        for (long max : new long[] {1, 7, 16, 100, 1000, 50_000}) {
            Counter.Persisted db = new Counter.Persisted(0, null);
            long handedOut = 0;
            int restarts = 0;
            while (true) {
                Counter c = new Counter(OptionalLong.of(max), Optional.empty(), db.used(), db.tat());
                long run = rnd.nextInt((int) Math.min(max, 3000)) + 1;
                for (long i = 0; i < run && !c.exhausted(); i++) {
                    db = take(c, T0, db);
                    handedOut++;
                }
                restarts++;
                if (c.exhausted()) {
                    break;
                }
                // kill -9: memory gone; db stays as last committed.
                assertTrue(db.used() >= c.used(), "persisted " + db.used() + " < used " + c.used());
                assertTrue(db.used() - c.used() <= Counter.block(OptionalLong.of(max)), "lose at most a block");
            }
            assertTrue(handedOut <= max, max + ": handed out " + handedOut + " after " + restarts + " crashes");
        }
    }

    @Test
    void exactAndSealed_aCleanCloseKeepsTheExactCountAndRefusesLateCalls() {
        Counter c = new Counter(OptionalLong.of(1000), Optional.empty(), 0, null);
        Counter.Persisted db = null;
        for (int i = 0; i < 10; i++) {
            db = take(c, T0, db);
        }
        assertEquals(62, db.used(), "a block of 1000/16 reserved");
        Counter.Persisted exact = c.exact();
        assertEquals(new Counter.Persisted(10, null), exact);
        c.sealed();
        assertNull(c.exact());
        assertNotNull(c.reservationFor(T0), "after the seal a call needs a commit, which a closed broker refuses");
        Counter reopened = new Counter(OptionalLong.of(1000), Optional.empty(), exact.used(), exact.tat());
        assertEquals(10, reopened.used());
    }

    @Test
    void rate_persistedTatIsNeverEarlierThanTheOneInMemory() {
        Rate rate = Rate.parse("320/s"); // rateBlock 20
        long e = Gcra.emissionNanos(rate);
        Counter c = new Counter(OptionalLong.empty(), Optional.of(rate), 0, null);
        long now = T0;
        int commits = 0;
        for (int i = 0; i < 1000; i++) {
            now += e / 2 + (i % 3) * e; // sometimes faster, sometimes slower than the rate
            if (c.waitNanos(now) > 0) {
                continue;
            }
            Counter.Persisted r = c.reservationFor(now);
            if (r != null) {
                commits++;
                c.persisted(r);
            }
            c.take(now);
            assertTrue(c.persistedTat() >= c.tat(), "persisted TAT behind memory at call " + i);
            assertTrue(c.persistedTat() - c.tat() <= 19 * e, "at most rateBlock - 1 tokens lost to a crash");
        }
        assertTrue(commits < 200, "reserved in blocks, not per call: " + commits);
    }

    @Test
    void rate_afterACrashTheBucketIsNoFuller() {
        Rate rate = Rate.parse("3/m");
        Counter c = new Counter(OptionalLong.empty(), Optional.of(rate), 0, null);
        Counter.Persisted db = null;
        for (int i = 0; i < 3; i++) {
            db = take(c, T0, db);
        }
        assertTrue(c.waitNanos(T0) > 0);
        Counter restarted = new Counter(OptionalLong.empty(), Optional.of(rate), db.used(), db.tat());
        assertTrue(restarted.waitNanos(T0) > 0, "a restart does not refill the bucket");
        assertFalse(restarted.waitNanos(T0 + Duration.ofSeconds(20).toNanos()) > 0);
    }

    @Test
    void unlimited_countsInBlocksOf1024() {
        Counter c = new Counter(OptionalLong.empty(), Optional.empty(), 0, null);
        int commits = 0;
        for (int i = 0; i < 5000; i++) {
            Counter.Persisted r = c.reservationFor(T0);
            if (r != null) {
                commits++;
                c.persisted(r);
            }
            c.take(T0);
        }
        assertEquals(5, commits);
        assertFalse(c.exhausted());
    }
}
