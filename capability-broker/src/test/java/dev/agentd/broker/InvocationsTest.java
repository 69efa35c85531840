package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Invocations} on a real database file: what a consume commits, and that a closed one spends nothing. */
class InvocationsTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private static LiveGrant grant(long id, long max) {
        Grant g = new Grant(id, "a", GrantKind.TOOL, "echo", OptionalLong.of(max), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), false);
        return new LiveGrant(g, null, null, null, new Counter(g.maxInvocations(), g.rate(), 0, null));
    }

    @Test
    void consume_reservesAheadThenTakes_andAClosedDatabaseSpendsNothing() throws Exception {
        Database db = Database.open(dir.resolve("b.db"), new Events(Clock.fixed(NOW, ZoneOffset.UTC), BrokerListener.NONE));
        try {
            Invocations inv = new Invocations(db);
            LiveGrant g = grant(1, 100);
            assertNull(inv.consume(g.chain, NOW));
            assertEquals(1, g.counter.used());
            assertEquals(Counter.block(OptionalLong.of(100)), g.counter.persistedUsed());

            LiveGrant single = grant(2, 1);
            db.markClosed(() -> {});
            assertThrows(IllegalStateException.class, () -> inv.consume(single.chain, NOW));
            assertEquals(0, single.counter.used());

            Invocations.Sealed s = inv.sealAll(List.of(g, single));
            assertEquals(List.of(1L), s.ids());
            assertEquals(new Counter.Persisted(1, null), s.exact().get(0));
        } finally {
            db.closeConnection();
        }
    }
}
