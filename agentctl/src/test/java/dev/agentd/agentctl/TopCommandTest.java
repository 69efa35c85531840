package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    static Agent agent(String id, long cpuUsec, long calls) {
        return new Agent(FakeAgentd.parse("{\"id\": \"" + id + "\", \"name\": \"n-" + id + "\", \"state\": \"running\","
                + " \"toolcalls\": " + calls + ", \"resources\": {\"memory_current\": 2048, \"cpu_usage_usec\": "
                + cpuUsec + ", \"pids_current\": 3}}"));
    }

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
    void rows_ratesAreDeltasOverTheInterval() {
        var rows = TopCommand.rows(List.of(agent("a", 1_000_000, 10)), List.of(agent("a", 1_500_000, 30)),
                2_000_000_000L);

        assertEquals(1, rows.size());
        assertEquals(25.0, rows.get(0).cpuPercent(), 1e-9);
        assertEquals(10.0, rows.get(0).callsPerSecond(), 1e-9);
        assertEquals(2048L, rows.get(0).memoryBytes());
        assertEquals(3L, rows.get(0).pids());
    }

    @Test
    void rows_newAgentOrCountersGoneBack_haveNoRate() {
        var rows = TopCommand.rows(List.of(agent("a", 5_000_000, 10)), List.of(agent("a", 100, 0), agent("b", 1, 1)),
                1_000_000_000L);

        assertNull(rows.get(0).cpuPercent());
        assertNull(rows.get(0).callsPerSecond());
        assertNull(rows.get(1).cpuPercent());
        assertTrue(TopCommand.table(rows).contains("-"), TopCommand.table(rows));
    }

    @Test
    void top_json_isOneSnapshotFromTwoSamples() {
        AtomicInteger n = new AtomicInteger();
        agentd.on("agent.list", (req, reply) -> reply.result(FakeAgentd.parse("{\"agents\": ["
                + agent("a", 1_000_000L * n.incrementAndGet(), 4L * n.get()).json() + "]}")));

        var r = Cli.run(agentd.socket(), "top", "--json", "-d", "0.05");

        assertEquals(0, r.exit(), r::toString);
        JsonNode out = FakeAgentd.parse(r.out());
        assertEquals(2, agentd.requests().size());
        JsonNode a = out.path("agents").get(0);
        assertEquals("a", a.path("id").asText());
        assertEquals(8, a.path("toolcalls").asLong());
        assertTrue(a.path("toolcalls_per_second").asDouble() > 0, r.out());
        assertTrue(a.path("cpu_percent").asDouble() > 0, r.out());
        assertTrue(out.path("interval_seconds").asDouble() > 0, r.out());
    }

    @Test
    void top_iterations_printsThatManyTables() {
        agentd.result("agent.list", "{\"agents\": [" + agent("a", 1, 1).json() + "]}");

        var r = Cli.run(agentd.socket(), "top", "-n", "3", "-d", "0.01");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(3, r.out().split("CALLS/S", -1).length - 1, r.out());
        assertTrue(r.out().startsWith("agentctl top - "), r.out());
        assertEquals(4, agentd.requests().size());
    }

    @Test
    void top_badDelay_isAUsageError() {
        var r = Cli.run(agentd.socket(), "top", "-d", "0");

        assertEquals(ExitCodes.USAGE, r.exit(), r::toString);
        assertTrue(agentd.requests().isEmpty());
    }
}
