package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonConfigTest {
    @TempDir
    Path dir;

    @Test
    void underRoot_keepsEverythingBelowTheRoot() {
        DaemonConfig c = DaemonConfig.underRoot(dir);
        assertTrue(c.stateDir().startsWith(dir));
        assertEquals(dir.resolve("run/agentd.sock"), c.socket());
        assertEquals(dir.resolve("state/agentd.db"), c.database());
        assertTrue(c.cgroupParent().startsWith("agentd-"));
    }

    @Test
    void load_overridesGivenKeys() throws Exception {
        Path f = dir.resolve("agentd.yaml");
        Files.writeString(f, "state_dir: /srv/agentd\nuid_min: 100000\nuid_max: 100099\n");
        DaemonConfig c = DaemonConfig.load(f);
        assertEquals(Path.of("/srv/agentd"), c.stateDir());
        assertEquals(100000, c.uidMin());
        assertEquals(DaemonConfig.system().socket(), c.socket());
    }

    @Test
    void load_unknownKeyNamesFileAndKey() throws Exception {
        Path f = dir.resolve("agentd.yaml");
        Files.writeString(f, "state_dri: /srv\n");
        IOException e = assertThrows(IOException.class, () -> DaemonConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ": unknown key \"state_dri\""), e.getMessage());
    }

    @Test
    void load_relativePathRefused() throws Exception {
        Path f = dir.resolve("agentd.yaml");
        Files.writeString(f, "socket: run/agentd.sock\n");
        IOException e = assertThrows(IOException.class, () -> DaemonConfig.load(f));
        assertTrue(e.getMessage().contains("socket: expected an absolute path"), e.getMessage());
    }

    @Test
    void load_emptyUidRangeRefused() throws Exception {
        Path f = dir.resolve("agentd.yaml");
        Files.writeString(f, "uid_min: 500\nuid_max: 100\n");
        IOException e = assertThrows(IOException.class, () -> DaemonConfig.load(f));
        assertTrue(e.getMessage().contains("uid_min..uid_max"), e.getMessage());
    }

    @Test
    void load_toolcallRate_defaultsTo200PerSecondAndIsConfigurable() throws Exception {
        assertEquals(new ToolcallRate(200, 200), DaemonConfig.system().toolcallRate());
        Path f = dir.resolve("agentd.yaml");
        Files.writeString(f, "toolcalls_per_second: 1000\n");
        assertEquals(new ToolcallRate(1000, 1000), DaemonConfig.load(f).toolcallRate(), "a burst of one second's worth");
        Files.writeString(f, "toolcalls_per_second: 50\ntoolcall_burst: 400\n");
        assertEquals(new ToolcallRate(50, 400), DaemonConfig.load(f).toolcallRate());
        Files.writeString(f, "toolcall_burst: 10\n");
        assertEquals(new ToolcallRate(200, 10), DaemonConfig.load(f).toolcallRate());
    }

    @Test
    void load_toolcallRate_badValuesAreClearErrors() throws Exception {
        Path f = dir.resolve("agentd.yaml");
        String expected = "expected a whole number of calls from 1 to 1000000, got ";
        for (String[] c : new String[][] {
                {"toolcalls_per_second: 0", "toolcalls_per_second: " + expected + "0 (an agent that may make no calls"},
                {"toolcalls_per_second: -3", "toolcalls_per_second: " + expected + "-3 ("},
                {"toolcall_burst: 2000000", "toolcall_burst: " + expected + "2000000"},
                {"toolcall_burst: 99999999999999999999", "toolcall_burst: " + expected + "99999999999999999999"},
                {"toolcalls_per_second: 2.5", "toolcalls_per_second: " + expected + "2.5"},
                {"toolcalls_per_second: fast", "toolcalls_per_second: " + expected + "\"fast\""},
                {"toolcalls_per_second:", "toolcalls_per_second: " + expected + "an empty value"},
                {"toolcall_per_second: 5", "unknown key \"toolcall_per_second\""}}) {
            Files.writeString(f, c[0] + "\n");
            IOException e = assertThrows(IOException.class, () -> DaemonConfig.load(f), c[0]);
            assertTrue(e.getMessage().startsWith(f + ": " + c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void toolcallRate_theManifestWinsAndBecomesABucket() {
        ToolcallRate d = new ToolcallRate(200, 200);
        assertEquals(d, d.forAgent(dev.agentd.manifest.Limits.NONE));
        assertEquals(new ToolcallRate(5, 5), d.forAgent(new dev.agentd.manifest.Limits(
                java.util.OptionalLong.of(5), java.util.OptionalLong.empty())));
        assertEquals(new ToolcallRate(200, 3), d.forAgent(new dev.agentd.manifest.Limits(
                java.util.OptionalLong.empty(), java.util.OptionalLong.of(3))));
        assertEquals(dev.agentd.broker.Rate.parse("200/s"), d.asRate());
        // 50 per second with bursts of 400: a bucket of 400 refilled in 8 s.
        assertEquals(new dev.agentd.broker.Rate(400, java.time.Duration.ofSeconds(8)), new ToolcallRate(50, 400).asRate());
        // Rounded up: 3 per 1/7 s would be 21.000000021/s; never above the rate.
        dev.agentd.broker.Rate r = new ToolcallRate(7, 3).asRate();
        assertTrue(r.per().toNanos() * 7 >= 3 * 1_000_000_000L, r.toString());
        assertEquals(new dev.agentd.broker.Rate(1_000_000, java.time.Duration.ofSeconds(1)),
                new ToolcallRate(1_000_000, 1_000_000).asRate());
        assertThrows(IllegalArgumentException.class, () -> new ToolcallRate(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ToolcallRate(1, 1_000_001));
    }
}
