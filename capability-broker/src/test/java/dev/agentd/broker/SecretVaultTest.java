package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretVaultTest {
    private static final Principal ADMIN = Principal.admin(0);
    private static final byte[] TOKEN = "sk-live-0123456789abcdefg".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    Path dbFile;
    Path keyFile;
    RecordingListener events;
    Broker broker;

    @BeforeEach
    void open() {
        dbFile = dir.resolve("agentd.db");
        keyFile = dir.resolve("vault.key");
        events = new RecordingListener();
        broker = Broker.open(dbFile, new MutableClock(Instant.parse("2025-01-01T00:00:00Z")), events);
    }

    @AfterEach
    void close() {
        broker.close();
    }

    @Test
    void open_createsAnOwnerOnlyKeyFile() throws Exception {
        SecretVault.open(keyFile, broker);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
        assertEquals(32, Files.size(keyFile));
    }

    @Test
    void reveal_needsALiveSecretGrantAndConsumesIt() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        vault.set("openai", TOKEN);
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(GrantKind.SECRET, "openai").withMaxInvocations(2)));
        broker.registerAgent("b", null, ADMIN, List.of(GrantRequest.of(GrantKind.SECRET, "other")));
        assertArrayEquals(TOKEN, vault.reveal("a", "openai").orElseThrow());
        assertEquals(Optional.empty(), vault.reveal("b", "openai"));
        assertEquals(Optional.empty(), vault.reveal("a", "missing"));
        assertArrayEquals(TOKEN, vault.reveal("a", "openai").orElseThrow());
        assertEquals(Optional.empty(), vault.reveal("a", "openai"), "budget of 2 used");
        assertEquals(2, broker.grants("a").get(0).usedInvocations());
        assertEquals(2, events.ofType(BrokerEvent.Type.SECRET_USED).size());
        for (BrokerEvent e : events.events) {
            assertFalse(e.details().values().stream().anyMatch(v -> v.contains("sk-live")), "no value in " + e);
        }
    }

    @Test
    void set_roundTripsAcrossReopen() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        vault.set("openai", TOKEN);
        vault.set("bin", new byte[] {0, (byte) 0xff, 1, 2, 3});
        vault.set("openai", "replaced-value".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("bin", "openai"), vault.names());
        broker.close();
        broker = Broker.open(dbFile, broker.clock(), events);
        SecretVault again = SecretVault.open(keyFile, broker);
        broker.registerAgent("a", null, ADMIN, List.of(GrantRequest.of(GrantKind.SECRET, "openai"),
                GrantRequest.of(GrantKind.SECRET, "bin")));
        assertArrayEquals("replaced-value".getBytes(StandardCharsets.UTF_8), again.reveal("a", "openai").orElseThrow());
        assertArrayEquals(new byte[] {0, (byte) 0xff, 1, 2, 3}, again.reveal("a", "bin").orElseThrow());
        assertTrue(again.delete("bin"));
        assertFalse(again.delete("bin"));
        assertEquals(List.of("openai"), again.names());
    }

    @Test
    void set_storesCiphertextWithAFreshNonce() throws Exception {
        SecretVault vault = SecretVault.open(keyFile, broker);
        vault.set("one", TOKEN);
        vault.set("two", TOKEN);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dbFile);
             PreparedStatement p = c.prepareStatement("SELECT name, nonce, ciphertext FROM broker_secrets ORDER BY name");
             ResultSet rs = p.executeQuery()) {
            assertTrue(rs.next());
            byte[] nonce1 = rs.getBytes(2);
            byte[] ct1 = rs.getBytes(3);
            assertTrue(rs.next());
            byte[] nonce2 = rs.getBytes(2);
            byte[] ct2 = rs.getBytes(3);
            assertEquals(12, nonce1.length);
            assertEquals(TOKEN.length + 16, ct1.length, "GCM adds a 16-byte tag");
            assertFalse(new String(ct1, StandardCharsets.ISO_8859_1).contains("sk-live"));
            assertFalse(java.util.Arrays.equals(nonce1, nonce2));
            assertFalse(java.util.Arrays.equals(ct1, ct2), "same value, different ciphertext");
        }
        byte[] raw = Files.readAllBytes(dbFile);
        assertFalse(new String(raw, StandardCharsets.ISO_8859_1).contains("sk-live-0123"));
    }

    @Test
    void open_refusesAKeyFileOthersCanRead() throws Exception {
        SecretVault.open(keyFile, broker);
        for (String mode : List.of("rw-r-----", "rw----r--", "rw-----w-", "rw--w----")) {
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(mode));
            BrokerException e = assertThrows(BrokerException.class, () -> SecretVault.open(keyFile, broker), mode);
            assertTrue(e.getMessage().contains(keyFile.toString()) && e.getMessage().contains(mode)
                    && e.getMessage().contains("chmod 600"), e.getMessage());
        }
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--------"));
        SecretVault.open(keyFile, broker);
    }

    @Test
    void open_refusesAKeyFileOfTheWrongSize() throws Exception {
        Files.write(keyFile, new byte[31]);
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        BrokerException e = assertThrows(BrokerException.class, () -> SecretVault.open(keyFile, broker));
        assertTrue(e.getMessage().contains("31 bytes: expected 32"), e.getMessage());
    }

    @Test
    void open_refusesASymlinkedKeyFile() throws Exception {
        SecretVault.open(keyFile, broker);
        Path link = dir.resolve("link.key");
        Files.createSymbolicLink(link, keyFile);
        BrokerException e = assertThrows(BrokerException.class, () -> SecretVault.open(link, broker));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void open_withTheWrongKey_failsClosed() {
        SecretVault.open(keyFile, broker).set("openai", TOKEN);
        BrokerException e = assertThrows(BrokerException.class, () -> SecretVault.open(dir.resolve("other.key"), broker));
        assertTrue(e.getMessage().contains("cannot be decrypted"), e.getMessage());
    }

    @Test
    void set_validatesNameAndSize() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        assertThrows(IllegalArgumentException.class, () -> vault.set("has space", TOKEN));
        assertThrows(IllegalArgumentException.class, () -> vault.set("empty", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> vault.set("big", new byte[64 * 1024 + 1]));
    }

    @Test
    void scrubber_replacesTextAndBase64() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        Scrubber scrubber = vault.scrubber();
        String token = new String(TOKEN, StandardCharsets.UTF_8);
        assertEquals("token " + token, scrubber.scrub("token " + token));
        vault.set("openai", TOKEN); // after the scrubber was made: it still applies
        vault.set("pin", "123".getBytes(StandardCharsets.UTF_8));
        vault.set("short", "wxyz".getBytes(StandardCharsets.UTF_8));
        // 25 bytes: standard base64 ends in "=", so the padded and unpadded forms differ.
        String b64 = Base64.getEncoder().encodeToString(TOKEN);
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(TOKEN);
        assertNotEquals(b64, unpadded);
        assertEquals("Bearer [secret:openai] and [secret:openai] / [secret:openai]; pin 123; [secret:short]",
                scrubber.scrub("Bearer " + token + " and " + b64 + " / " + unpadded + "; pin 123; wxyz"));
        assertEquals("nothing here", scrubber.scrub("nothing here"));
        vault.delete("openai");
        assertEquals(token, scrubber.scrub(token));
    }

    @Test
    void scrubber_longestSecretWinsAndMarkersAreNotRescanned() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        vault.set("outer", "supersecret-value".getBytes(StandardCharsets.UTF_8));
        vault.set("inner", "secret".getBytes(StandardCharsets.UTF_8));
        vault.set("sneaky", ":out".getBytes(StandardCharsets.UTF_8));
        assertEquals("[secret:outer] [secret:inner]", vault.scrubber().scrub("supersecret-value secret"));
    }

    @Test
    void scrubber_binarySecretOnlyByBase64() {
        SecretVault vault = SecretVault.open(keyFile, broker);
        byte[] bin = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3};
        vault.set("bin", bin);
        assertEquals("x [secret:bin] y", vault.scrubber().scrub("x " + Base64.getEncoder().encodeToString(bin) + " y"));
    }
}
