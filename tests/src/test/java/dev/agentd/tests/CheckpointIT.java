package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.checkpoint.CheckpointArchive;
import dev.agentd.daemon.CheckpointSignature;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import dev.agentd.tests.support.RpcException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checkpoint and restore through a real agentd where CRIU cannot run: what
 * must hold without it (refusals that say what to install, nothing changed,
 * the agent untouched; archives verified on import). The dumps and restores
 * themselves need CRIU 4 and run in the VM (distro/checks/checkpoint).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CheckpointIT {
    static AgentdHarness agentd;
    static final Path NO_CRIU = Path.of("/nonexistent/agentd-test/criu");

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = AgentdHarness.start(c -> c.withCriu(NO_CRIU));
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    private static JsonNode checkpoints() throws Exception {
        return agentd.call("checkpoint.list", Map.of()).path("checkpoints");
    }

    @Test
    void without_criu_a_checkpoint_is_refused_with_what_to_install_and_the_agent_runs_on() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("ck"), "", "while :; do sleep 1; done"));
        int before = checkpoints().size();
        RpcException e = assertThrows(RpcException.class,
                () -> agentd.call("checkpoint.create", Map.of("id", id, "leave_running", true)));
        assertEquals(-32004, e.code(), e.toString());
        assertTrue(e.getMessage().contains(NO_CRIU.toString()) && e.getMessage().toLowerCase().contains("install"),
                "names the binary and what to install: " + e.getMessage());
        assertEquals("running", agentd.status(id).path("state").asText());
        assertEquals(before, checkpoints().size());
        assertFalse(Files.exists(agentd.config().stateDir().resolve("checkpoints"))
                && Files.list(agentd.config().stateDir().resolve("checkpoints")).findAny().isPresent(),
                "nothing left in the checkpoint store");
        assertEquals(1, agentd.audit().awaitEvents("checkpoint.refused", id, 1, Duration.ofSeconds(10)).size(), agentd.audit().lines().toString());
        agentd.killAndAwait(id);
    }

    @Test
    void incremental_is_refused_with_the_reason_where_the_kernel_does_not_track_dirty_memory() throws Exception {
        // A stand-in for CRIU 4.1 on a kernel without soft-dirty bits: its version
        // passes, its feature check fails, anything else would be a dump (refused
        // here: the refusal must come before one).
        Path criu = Dirs.temp("fake-criu-").resolve("criu");
        Files.writeString(criu, """
                #!/bin/sh
                case "$1" in
                  --version) echo 'Version: 4.1.1' ;;
                  check) echo 'mem_dirty_track is not supported by this kernel'; exit 1 ;;
                  *) echo "unexpected: criu $*" >&2; exit 1 ;;
                esac
                """);
        assertTrue(criu.toFile().setExecutable(true));
        try (AgentdHarness other = AgentdHarness.start(c -> c.withCriu(criu))) {
            String id = other.spawnId(Manifests.sh(Manifests.name("ckinc"), "", "while :; do sleep 1; done"));
            RpcException e = assertThrows(RpcException.class, () -> other.call("checkpoint.create",
                    Map.of("id", id, "leave_running", true, "incremental", true)));
            assertEquals(-32004, e.code(), e.toString());
            assertTrue(e.getMessage().contains("track dirty memory") && e.getMessage().contains("mem_dirty_track"),
                    "says why: " + e.getMessage());
            assertEquals("running", other.status(id).path("state").asText());
            assertEquals(0, other.call("checkpoint.list", Map.of()).path("checkpoints").size());
            assertEquals(1, other.audit().awaitEvents("checkpoint.refused", id, 1, Duration.ofSeconds(10)).size(), other.audit().lines().toString());
            other.killAndAwait(id);
        }
    }

    @Test
    void host_network_agents_and_unknown_agents_are_refused() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("ckhost"), "network: host", "while :; do sleep 1; done"));
        RpcException e = assertThrows(RpcException.class, () -> agentd.call("checkpoint.create", Map.of("id", id)));
        assertTrue(e.getMessage().contains("host network"), e.getMessage());
        assertEquals("running", agentd.status(id).path("state").asText());
        agentd.killAndAwait(id);
        RpcException gone = assertThrows(RpcException.class, () -> agentd.call("checkpoint.create", Map.of("id", id)));
        assertEquals(-32004, gone.code(), "an ended agent: " + gone);
        RpcException none = assertThrows(RpcException.class,
                () -> agentd.call("checkpoint.restore", Map.of("id", "0badc0de")));
        assertTrue(none.getMessage().contains("no checkpoint 0badc0de"), none.getMessage());
    }

    @Test
    void import_verifies_every_member_and_restore_without_criu_leaves_nothing_running() throws Exception {
        Path src = Dirs.temp("ckpt-src-");
        Files.createDirectories(src.resolve("images"));
        Files.writeString(src.resolve("images/inventory.img"), "not really an image");
        Files.createDirectories(src.resolve("workspace"));
        Files.writeString(src.resolve("workspace/notes.txt"), "hello\n");
        Files.createDirectories(src.resolve("tmp"));
        Files.writeString(src.resolve("agent.log"), "tick 1\n");
        Files.writeString(src.resolve("attributes.json"), "{\"workspace/notes.txt\": {\"uid\": 71234, \"gid\": 71234, \"mode\": 416}}");
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("id", "5eed0001");
        entry.put("agent_id", "0a0b0c0d");
        entry.put("agent_name", "moved");
        entry.put("uid", 71234);
        entry.put("created_at", "2026-12-04T10:00:00Z");
        entry.put("manifest", "name: moved\ncommand: [\"/bin/sleep\", \"100\"]\n");
        Path archive = Dirs.temp("ckpt-out-").resolve("moved.ckpt");
        Path key = CheckpointSignature.keyFile(agentd.config().secretsKey());
        // Unsigned: refused.
        CheckpointArchive.export(src, entry, archive.resolveSibling("unsigned.ckpt"));
        RpcException unsigned = assertThrows(RpcException.class, () -> agentd.call("checkpoint.import",
                Map.of("file", archive.resolveSibling("unsigned.ckpt").toString())));
        assertTrue(unsigned.getMessage().contains("not signed"), unsigned.getMessage());
        // Signed with this agentd's checkpoint key (as its own export does), then
        // rewritten consistently: every size and SHA-256 in MANIFEST.json matches
        // the changed file, but the signature does not. Refused.
        CheckpointSignature.sign(src, Rpc.JSON.valueToTree(entry), key);
        Files.writeString(src.resolve("workspace/notes.txt"), "hello, changed\n");
        CheckpointArchive.export(src, entry, archive.resolveSibling("rewritten.ckpt"));
        RpcException rewritten = assertThrows(RpcException.class, () -> agentd.call("checkpoint.import",
                Map.of("file", archive.resolveSibling("rewritten.ckpt").toString())));
        assertTrue(rewritten.getMessage().contains("signature does not match"), rewritten.getMessage());
        Files.writeString(src.resolve("workspace/notes.txt"), "hello\n");
        CheckpointArchive.export(src, entry, archive);

        // A flipped byte anywhere is refused whole, and changes nothing.
        byte[] bytes = Files.readAllBytes(archive);
        bytes[600] ^= 1;
        Path bad = archive.resolveSibling("bad.ckpt");
        Files.write(bad, bytes);
        int before = checkpoints().size();
        RpcException e = assertThrows(RpcException.class,
                () -> agentd.call("checkpoint.import", Map.of("file", bad.toString())));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
        assertEquals(before, checkpoints().size());

        JsonNode imported = agentd.call("checkpoint.import", Map.of("file", archive.toString()));
        assertEquals("5eed0001", imported.path("id").asText());
        assertEquals("imported", imported.path("origin").asText());
        Path dir = Path.of(imported.path("path").asText());
        assertEquals(71234, Files.getAttribute(dir.resolve("workspace/notes.txt"), "unix:uid"));
        assertEquals(0640, (Integer) Files.getAttribute(dir.resolve("workspace/notes.txt"), "unix:mode") & 0777,
                "modes come back from attributes.json");
        RpcException again = assertThrows(RpcException.class,
                () -> agentd.call("checkpoint.import", Map.of("file", archive.toString())));
        assertTrue(again.getMessage().contains("already here"), again.getMessage());

        int running = agentd.list(false).size();
        RpcException r = assertThrows(RpcException.class,
                () -> agentd.call("checkpoint.restore", Map.of("id", "5eed0001")));
        assertTrue(r.getMessage().contains("install"), r.getMessage());
        assertEquals(running, agentd.list(false).size(), "no agent left behind");

        agentd.call("checkpoint.remove", Map.of("id", "5eed0001"));
        assertFalse(Files.exists(dir));
        assertEquals(before, checkpoints().size());
        assertEquals(1, agentd.audit().awaitEvents("checkpoint.import", "0a0b0c0d", 1, Duration.ofSeconds(10)).size());
        assertEquals(1, agentd.audit().awaitEvents("checkpoint.remove", "0a0b0c0d", 1, Duration.ofSeconds(10)).size());
    }
}
