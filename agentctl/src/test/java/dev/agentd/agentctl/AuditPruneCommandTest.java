package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditPruneCommandTest {
    static final String PRUNED = "{\"before\": \"2026-11-15T00:03:12.120Z\", \"pruned\": 120, \"from_seq\": 1,"
            + " \"to_seq\": 120, \"anchor_hash\": \"ab\", \"record\": 301}";

    @TempDir
    Path dir;
    FakeAgentd agentd;

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void prune_relativeBefore_isSentAsAnInstantAndSaysWhatWasPruned() {
        agentd.result("audit.prune", PRUNED);

        var r = Cli.run(agentd.socket(), "audit", "prune", "--before", "7d");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("pruned 120 records (1..120); audit.prune is record 301\n", r.out());
        assertEquals(FakeAgentd.parse("{\"before\": \"2026-11-15T00:03:12.120Z\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void prune_nothingOlder_saysSo() {
        agentd.result("audit.prune", "{\"before\": \"2026-11-20T00:00:00Z\", \"pruned\": 0, \"from_seq\": 0,"
                + " \"to_seq\": 0, \"anchor_hash\": null, \"record\": 5}");

        var r = Cli.run(agentd.socket(), "audit", "prune", "--before", "2026-11-20");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("no record before 2026-11-20T00:00:00Z; audit.prune is record 5\n", r.out());
    }

    @Test
    void prune_json_printsResult() {
        agentd.result("audit.prune", PRUNED);

        var r = Cli.run(agentd.socket(), "audit", "prune", "--before", "7d", "--json");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(FakeAgentd.parse(PRUNED), FakeAgentd.parse(r.out()));
    }

    @Test
    void prune_withoutBefore_isUsageErrorAndSendsNothing() {
        var r = Cli.run(agentd.socket(), "audit", "prune");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(agentd.requests().isEmpty());
    }

    @Test
    void prune_badBefore_isUsageErrorAndSendsNothing() {
        var r = Cli.run(agentd.socket(), "audit", "prune", "--before", "last week");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(r.err().startsWith("agentctl: invalid --before \"last week\""), r.err());
        assertTrue(agentd.requests().isEmpty());
    }
}
