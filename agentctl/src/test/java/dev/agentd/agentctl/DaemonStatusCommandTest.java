package dev.agentd.agentctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonStatusCommandTest {
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
    void daemonStatus_printsKernelFeatures() {
        agentd.result("daemon.status", Fixtures.DAEMON);

        var r = Cli.run(agentd.socket(), "daemon", "status");

        assertEquals(0, r.exit(), r::toString);
        assertEquals("""
                Version:       0.1.0
                PID:           1
                Uptime:        3s
                Agents:        1 running
                Kernel:        6.18.0 (x86_64)
                Landlock:      ABI 7
                seccomp:       available
                User notify:   available
                cgroups:       hybrid
                Controllers:   memory, pids, cpu
                CRIU:          not available
                """, r.out());
        assertEquals("daemon.status", agentd.onlyRequest().path("method").asText());
    }

    @Test
    void daemonStatus_missingFeatures_saySo() {
        agentd.result("daemon.status", """
                {"version": "0.1.0", "kernel": {"landlock_abi": 0, "seccomp": false,
                 "cgroup_layout": "unified", "cgroup_controllers": [], "criu": "4.0"}}""");

        var r = Cli.run(agentd.socket(), "daemon", "status");

        assertTrue(r.out().contains("Landlock:      not available\n"), r.out());
        assertTrue(r.out().contains("seccomp:       not available\n"), r.out());
        assertTrue(r.out().contains("User notify:   unknown\n"), r.out());
        assertTrue(r.out().contains("Controllers:   none\n"), r.out());
        assertTrue(r.out().contains("CRIU:          4.0\n"), r.out());
    }

    @Test
    void daemonStatus_json_printsResult() {
        agentd.result("daemon.status", Fixtures.DAEMON);

        var r = Cli.run(agentd.socket(), "daemon", "status", "--json");

        assertEquals(FakeAgentd.parse(Fixtures.DAEMON), FakeAgentd.parse(r.out()));
    }

    @Test
    void daemon_withoutSubcommand_isUsageError() {
        var r = Cli.runWithEnv(java.util.Map.of(), "daemon");

        assertEquals(ExitCodes.USAGE, r.exit());
        assertTrue(r.err().contains("Try 'agentctl daemon --help'"), r.err());
    }
}
