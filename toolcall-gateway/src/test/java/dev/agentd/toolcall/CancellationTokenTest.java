package dev.agentd.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancellationTokenTest {
    @Test
    void cancel_runsCallbacksOnce_andLateRegistrationsAtOnce() throws Exception {
        CancellationToken t = new CancellationToken();
        AtomicInteger n = new AtomicInteger();
        t.onCancel(n::incrementAndGet);
        t.onCancel(() -> {
            throw new IllegalStateException("a broken callback");
        });
        t.onCancel(n::incrementAndGet);
        assertFalse(t.isCancelled());
        t.throwIfCancelled();
        t.cancel();
        t.cancel();
        assertEquals(2, n.get(), "each once, despite the broken one between them");
        t.onCancel(n::incrementAndGet);
        assertEquals(3, n.get());
        assertTrue(t.isCancelled());
        assertEquals("cancelled", assertThrows(ToolException.class, t::throwIfCancelled).getMessage());
    }
}
