package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    @TempDir
    Path dir;

    private static AgentRecord record(String id, int uid, AgentRecord.State state) {
        return new AgentRecord(id, "n-" + id, state, "name: x\ncommand: [/bin/true]\n", null, uid, 10, 9, 1234L,
                Instant.parse("2026-01-01T00:00:00Z"), null, null, null, null, 0, 0, List.of("landlock: x"), null, false);
    }

    @Test
    void put_roundTripsAndSurvivesReopen() throws Exception {
        Path db = dir.resolve("a.db");
        try (Store s = Store.open(db)) {
            s.put(record("aaaa0001", 70000, AgentRecord.State.RUNNING));
            s.put(record("aaaa0002", 70001, AgentRecord.State.EXITED));
        }
        try (Store s = Store.open(db)) {
            AgentRecord a = s.get("aaaa0001").orElseThrow();
            assertEquals(record("aaaa0001", 70000, AgentRecord.State.RUNNING), a);
            assertEquals(2, s.all().size());
            assertEquals(Set.of(70000), s.uidsInUse(), "exited agents free their uid");
        }
    }
}
