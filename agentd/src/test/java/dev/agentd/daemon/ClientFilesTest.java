package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientFilesTest {
    @TempDir
    Path dir;

    @Test
    void readManifest_regularFile_isItsText() throws Exception {
        Path f = Files.writeString(dir.resolve("a.yaml"), "name: a\n");

        assertEquals("name: a\n", ClientFiles.readManifest(f));
    }

    @Test
    void readManifest_symlinkToARegularFile_isRead() throws Exception {
        Path f = Files.writeString(dir.resolve("a.yaml"), "name: a\n");
        Path link = Files.createSymbolicLink(dir.resolve("link.yaml"), f);

        assertEquals("name: a\n", ClientFiles.readManifest(link));
    }

    @Test
    void readManifest_devZero_isRefusedAsNotARegularFile() {
        AgentdException e = assertThrows(AgentdException.class, () -> ClientFiles.readManifest(Path.of("/dev/zero")));

        assertEquals(AgentdException.INVALID_PARAMS, e.code());
        assertTrue(e.getMessage().contains("/dev/zero") && e.getMessage().contains("not a regular file"), e.getMessage());
    }

    @Test
    void readManifest_directory_isRefused() {
        AgentdException e = assertThrows(AgentdException.class, () -> ClientFiles.readManifest(dir));

        assertTrue(e.getMessage().contains("a directory"), e.getMessage());
    }

    @Test
    void readManifest_overTheLimit_isRefusedNamingTheFileAndTheLimit() throws Exception {
        Path f = Files.write(dir.resolve("big.yaml"), new byte[ClientFiles.MAX_MANIFEST_BYTES + 1]);

        AgentdException e = assertThrows(AgentdException.class, () -> ClientFiles.readManifest(f));

        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("1024 KiB"), e.getMessage());
    }

    @Test
    void readManifest_atTheLimit_isRead() throws Exception {
        Path f = Files.write(dir.resolve("max.yaml"), new byte[ClientFiles.MAX_MANIFEST_BYTES]);

        assertEquals(ClientFiles.MAX_MANIFEST_BYTES, ClientFiles.readManifest(f).length());
    }

    @Test
    void readManifest_missing_saysNoSuchFile() {
        AgentdException e = assertThrows(AgentdException.class, () -> ClientFiles.readManifest(dir.resolve("none")));

        assertTrue(e.getMessage().endsWith("no such file"), e.getMessage());
    }

    @Test
    void readManifest_notUtf8_isRefused() throws Exception {
        Path f = Files.write(dir.resolve("bin.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe});

        AgentdException e = assertThrows(AgentdException.class, () -> ClientFiles.readManifest(f));

        assertTrue(e.getMessage().contains("not UTF-8"), e.getMessage());
    }
}
