package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.broker.Rate;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void tryAcquire_burstsToCount_thenRefillsAtTheRate() {
        AtomicLong now = new AtomicLong(0);
        TokenBucket b = new TokenBucket(Rate.parse("3/s"), now::get);
        assertTrue(b.tryAcquire());
        assertTrue(b.tryAcquire());
        assertTrue(b.tryAcquire());
        assertFalse(b.tryAcquire());
        now.addAndGet(333_000_000L);
        assertFalse(b.tryAcquire(), "not quite one token yet");
        now.addAndGet(1_000_000L);
        assertTrue(b.tryAcquire());
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertTrue(b.tryAcquire());
        }
        assertFalse(b.tryAcquire(), "an idle minute refills to the burst, not beyond");
    }
}
