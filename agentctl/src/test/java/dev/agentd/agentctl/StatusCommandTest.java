package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusCommandTest {
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
    void status_running_printsKeyValueBlockWithHumanUnitsAndDroppedRules() {
        agentd.result("agent.status", Fixtures.RUNNING);

        var r = Cli.run(agentd.socket(), "status", "researcher");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                ID:            a1b2c3d4
                Name:          researcher
                State:         running (up 3m12s)
                PID:           12345
                UID:           61001
                Created:       2026-11-22T00:00:00Z
                Started:       2026-11-22T00:00:00.120Z
                Exited:        -
                Restarts:      0 (policy never)
                Requested by:  uid 0
                Manifest:      /etc/agentd/agents/researcher.yaml
                Memory:        120.6 KiB (peak 229.1 KiB)
                CPU:           1.2ms
                Tasks:         2
                OOM kills:     0
                Dropped:       landlock: IOCTL_DEV needs ABI 5
                               seccomp: user notification unavailable
                """, r.out());
        assertEquals(FakeAgentd.parse("{\"id\": \"researcher\"}"), agentd.onlyRequest().path("params"));
    }

    @Test
    void status_killed_saysHowItEnded() {
        agentd.result("agent.status", Fixtures.KILLED_9);

        var r = Cli.run(agentd.socket(), "status", "0badf00d");

        assertTrue(r.out().contains("State:         exited (killed by SIGKILL (9))\n"), r.out());
        assertTrue(r.out().contains("Memory:        unknown (peak 1.0 GiB)\n"), r.out());
        assertTrue(r.out().contains("CPU:           1m30s\n"), r.out());
        assertTrue(r.out().contains("OOM kills:     1\n"), r.out());
        assertTrue(r.out().contains("Manifest:      (sent as text)\n"), r.out());
        assertTrue(r.out().contains("Dropped:       none\n"), r.out());
    }

    @Test
    void status_json_printsRecordUnchanged() {
        agentd.result("agent.status", Fixtures.RUNNING);

        var r = Cli.run(agentd.socket(), "status", "--json", "a1b2c3d4");

        assertEquals(FakeAgentd.parse(Fixtures.RUNNING), FakeAgentd.parse(r.out()));
    }

    @Test
    void status_noSuchAgent_exits4() {
        agentd.error("agent.status", AdminException.NO_SUCH_AGENT, "no such agent: zzz", "{\"id\": \"zzz\"}");

        var r = Cli.run(agentd.socket(), "status", "zzz");

        assertEquals(ExitCodes.NO_SUCH_AGENT, r.exit());
        assertEquals("agentctl: no such agent: zzz\n", r.err());
        assertEquals("", r.out());
    }
}
