package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.Broker;
import dev.agentd.broker.BrokerListener;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.GrantRequest;
import dev.agentd.broker.GrantStatus;
import dev.agentd.broker.Principal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure parts of checkpoints: catalog entries, snapshot attributes, grants carried over. */
class CheckpointPartsTest {
    @TempDir
    Path dir;

    @Test
    void catalogEntry_roundTripsThroughJson_andImportsAreChecked() {
        CheckpointRecord c = new CheckpointRecord("0a1b2c3d", "deadbeef", "researcher", 70001,
                Instant.parse("2026-12-04T10:00:00Z"), 12345, "6.12.0", "4.1.1", "name: researcher\n",
                "{\"grants\":[]}", "[]", null, true, true, 4242, 31, "local");
        CheckpointRecord back = CheckpointRecord.fromJson(c.toJson());
        assertEquals(c.withOrigin("local"), back);
        ObjectNode bad = c.toJson();
        bad.put("id", "../../etc");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CheckpointRecord.fromJson(bad));
        assertTrue(e.getMessage().startsWith("id:"), e.getMessage());
        ObjectNode noUid = c.toJson();
        noUid.remove("uid");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CheckpointRecord.fromJson(noUid)).getMessage()
                .startsWith("uid:"));
    }

    @Test
    void attributes_bringBackOwnersAndModes_andDefaultToOwnerOnly() throws Exception {
        Path ck = Files.createDirectories(dir.resolve("ck"));
        Files.createDirectories(ck.resolve("workspace/sub"));
        Files.writeString(ck.resolve("workspace/sub/a.txt"), "a");
        Files.createDirectories(ck.resolve("tmp"));
        Files.writeString(ck.resolve("agent.log"), "log");
        Files.setAttribute(ck.resolve("workspace/sub/a.txt"), "unix:mode", 0644);
        Files.setAttribute(ck.resolve("agent.log"), "unix:mode", 0640);
        Snapshots.writeAttributes(ck, Checkpoints.SNAPSHOTS);
        Files.setAttribute(ck.resolve("workspace/sub/a.txt"), "unix:mode", 0600);
        Files.setAttribute(ck.resolve("agent.log"), "unix:mode", 0600);
        Files.writeString(ck.resolve("workspace/new.txt"), "not in the record");
        Snapshots.applyAttributes(ck, Checkpoints.SNAPSHOTS, 1234);
        assertEquals(0644, (Integer) Files.getAttribute(ck.resolve("workspace/sub/a.txt"), "unix:mode") & 07777);
        assertEquals(0640, (Integer) Files.getAttribute(ck.resolve("agent.log"), "unix:mode") & 07777);
        assertEquals(0600, (Integer) Files.getAttribute(ck.resolve("workspace/new.txt"), "unix:mode") & 07777);
        assertEquals(1234, Files.getAttribute(ck.resolve("workspace/new.txt"), "unix:uid"));
    }

    @Test
    void copyTree_keepsLinksAsLinks() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Files.writeString(a.resolve("f"), "x");
        Files.createSymbolicLink(a.resolve("l"), Path.of("/etc/shadow"));
        Snapshots.copyTree(a, dir.resolve("b"));
        assertTrue(Files.isSymbolicLink(dir.resolve("b/l")));
        assertEquals(Path.of("/etc/shadow"), Files.readSymbolicLink(dir.resolve("b/l")));
        assertEquals(2, Snapshots.size(dir.resolve("b")) + 1);
        Snapshots.deleteTree(dir.resolve("b"));
        assertFalse(Files.exists(dir.resolve("b")));
    }

    @Test
    void grants_comeBackAsTheyWereAtTheCheckpoint_neverAsTheManifestFirstGaveThem() throws Exception {
        try (Broker broker = Broker.open(dir.resolve("broker.db"), Clock.systemUTC(), BrokerListener.NONE)) {
            Principal admin = Principal.admin(0);
            // What the manifest gives: echo (unbounded), file_read with a budget of 10, llm.
            List<GrantRequest> manifest = List.of(GrantRequest.of(GrantKind.TOOL, "echo"),
                    GrantRequest.of(GrantKind.TOOL, "file_read").withMaxInvocations(10),
                    GrantRequest.of(GrantKind.TOOL, "exec"));
            broker.registerAgent("new", null, admin, manifest);
            // At the checkpoint: file_read had used 7 of 10, exec had been revoked,
            // and an admin had granted web_fetch at run time.
            String snapshot = new ObjectMapper().writeValueAsString(Map.of("grants", List.of(
                    Map.of("kind", "tool", "value", "echo", "used", 3, "state", "live"),
                    Map.of("kind", "tool", "value", "file_read", "max_invocations", 10, "used", 7, "state", "live"),
                    Map.of("kind", "tool", "value", "exec", "used", 0, "state", "revoked"),
                    Map.of("kind", "tool", "value", "web_fetch", "used", 0, "state", "live", "rate", "5/m"))));
            List<String> changes = GrantSnapshot.reapply(broker, "new", snapshot, admin);
            Map<String, GrantStatus> live = broker.grants("new").stream().filter(GrantStatus::isLive)
                    .collect(Collectors.toMap(s -> s.grant().value(), s -> s));
            assertEquals(List.of("echo", "file_read", "web_fetch"), live.keySet().stream().sorted().toList(), changes.toString());
            assertEquals(3, live.get("file_read").grant().maxInvocations().getAsLong(), "the budget goes on from what was left");
            assertEquals("5/m", live.get("web_fetch").grant().rate().orElseThrow().toString());
            assertEquals(3, changes.size(), changes.toString());
        }
    }
}
