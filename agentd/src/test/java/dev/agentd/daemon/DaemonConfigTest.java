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
}
