package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventsCommandTest {
    @TempDir
    Path dir;
    FakeAgentd agentd;

    static String record(long seq, String event) {
        return "{\"seq\": " + seq + ", \"time\": \"2026-11-22T00:00:0" + seq + "Z\", \"actor_uid\": 0, \"agent\": \"a1b2c3d4\","
                + " \"event\": \"" + event + "\", \"details\": {}, \"hash\": \"h\"}";
    }

    @BeforeEach
    void start() throws IOException {
        agentd = new FakeAgentd(dir);
        agentd.result("audit.list", "{\"records\": [" + record(1, "spawn") + ", " + record(2, "toolcall") + ", "
                + record(3, "broker.granted") + ", " + record(4, "broker.secret_used") + ", "
                + record(5, "broker.approval_requested") + ", " + record(6, "exit") + "]}");
    }

    @AfterEach
    void stop() throws IOException {
        agentd.close();
        assertTrue(agentd.failures().isEmpty(), agentd.failures().toString());
    }

    @Test
    void events_leaveOutPerCallRecords() {
        var r = Cli.run(agentd.socket(), "events");

        assertEquals(0, r.exit(), r::toString);
        assertEquals(4, r.out().lines().count(), r.out());
        assertTrue(r.out().lines().allMatch(l -> l.matches("[1356] .*")), r.out());
    }

    @Test
    void events_tail_keepsTheLastN() {
        var r = Cli.run(agentd.socket(), "events", "-n", "2");

        assertEquals(2, r.out().lines().count(), r.out());
        assertTrue(r.out().startsWith("5 "), r.out());
    }

    @Test
    void events_json_isOneRecordPerLine() {
        var r = Cli.run(agentd.socket(), "events", "--json", "-n", "1");

        assertEquals(FakeAgentd.parse(record(6, "exit")), FakeAgentd.parse(r.out().strip()));
    }
}
