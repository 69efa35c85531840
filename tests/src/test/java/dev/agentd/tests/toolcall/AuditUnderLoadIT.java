package dev.agentd.tests.toolcall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The audit log under load and crashes, from inside real sandboxes: agents
 * call echo in a loop while agentd (a separate JVM) is verified, SIGKILLed
 * with calls in flight, and restarted. Verification passes every time while
 * the calls go on (a live append is not a deletion), and every call an
 * agent saw succeed has its record after the crashes.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class AuditUnderLoadIT {
    static final int AGENTS = 3;
    static final int KILLS = 2;

    /**
     * Calls echo with a fresh text each time; after each success appends the
     * text to /workspace/ok. A call whose answer was lost (agentd killed) is
     * not counted; the client reconnects on its own.
     */
    static final String LOOP = """
            import os, sys, time
            sys.path.insert(0, "/run/agentd")
            from agentd_toolcall import ToolcallClient
            me = sys.argv[1]
            ok = open("/workspace/ok", "a", buffering=1)
            tc = None
            i = 0
            while not os.path.exists("/workspace/stop"):
                i += 1
                text = "%s-%d" % (me, i)
                try:
                    if tc is None:
                        tc = ToolcallClient(connect_timeout=1.0)
                    r = tc.call_tool("echo", {"text": text})
                    if not r.get("isError") and r["structuredContent"]["text"] == text:
                        ok.write(text + "\\n")
                except Exception as e:
                    if tc is not None:
                        tc.close()
                    tc = None
                    time.sleep(0.05)
            ok.close()
            open("/workspace/stopped", "w").close()
            """;

    Agentd agentd;

    @BeforeEach
    void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.process();
    }

    @AfterEach
    void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void verify_passes_while_agents_call_and_every_seen_call_survives_kill_9() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            ObjectNode m = Rpc.JSON.createObjectNode();
            m.put("name", Manifests.name("loop" + i));
            m.putArray("command").add("python3").add("-c").add(LOOP).add("a" + i);
            m.putArray("capabilities").addObject().put("tool", "echo");
            ids.add(agentd.spawn(m.toString()).get("id").asText());
        }
        awaitCalls(ids, 30);
        for (int kill = 0; kill <= KILLS; kill++) {
            // While calls go on: intact, every time.
            for (int v = 0; v < 5; v++) {
                JsonNode r = agentd.auditVerify();
                assertTrue(r.path("ok").asBoolean(), "verify under load (after " + kill + " kills): " + r);
            }
            if (kill == KILLS) {
                break;
            }
            awaitCalls(ids, 20);
            agentd.killHard(); // calls in flight
            agentd.startAgain();
            awaitCalls(ids, 20);
        }

        for (String id : ids) {
            Files.writeString(agentd.workspace(id).resolve("stop"), "");
        }
        for (String id : ids) {
            awaitFile(agentd.workspace(id).resolve("stopped"));
        }
        JsonNode v = agentd.auditVerify();
        assertTrue(v.path("ok").asBoolean(), "verify at rest: " + v);
        for (String id : ids) {
            Set<String> recorded = new HashSet<>();
            int toolcalls = 0;
            for (JsonNode a : agentd.auditRecords(id)) {
                String event = a.path("event").asText();
                assertTrue(!event.equals("broker.authorized"), "a call costs one record: " + a);
                if (event.equals("toolcall") && a.path("details").path("decision").asText().equals("allowed")) {
                    toolcalls++;
                    assertTrue(a.path("details").path("grant").asLong() > 0, a.toString());
                    recorded.add(Rpc.JSON.readTree(a.path("details").path("args_preview").asText()).path("text").asText());
                }
            }
            List<String> seen = Files.readAllLines(agentd.workspace(id).resolve("ok"));
            assertTrue(seen.size() >= 70, id + ": " + seen.size() + " calls");
            List<String> missing = new ArrayList<>();
            for (String text : seen) {
                if (!recorded.contains(text)) {
                    missing.add(text);
                }
            }
            assertEquals(List.of(), missing, id + ": calls the agent saw succeed without an audit record (of "
                    + seen.size() + " seen, " + toolcalls + " recorded)");
        }

        // Retention through the admin API: half the log goes, the rest still verifies from the anchor.
        List<JsonNode> all = agentd.auditRecords(null);
        JsonNode middle = all.get(all.size() / 2);
        JsonNode pruned = agentd.call("audit.prune", Map.of("before", middle.path("time").asText()));
        assertTrue(pruned.path("pruned").asLong() > 0, pruned.toString());
        assertTrue(pruned.path("to_seq").asLong() < middle.path("seq").asLong(), pruned.toString());
        JsonNode after = agentd.auditVerify();
        assertTrue(after.path("ok").asBoolean(), "verify after prune: " + after);
        assertEquals(pruned.path("to_seq").asLong(), after.path("pruned_through").asLong(), after.toString());
        List<JsonNode> kept = agentd.auditRecords(null);
        assertEquals(pruned.path("to_seq").asLong() + 1, kept.get(0).path("seq").asLong());
        JsonNode prune = kept.get(kept.size() - 1);
        assertEquals("audit.prune", prune.path("event").asText(), prune.toString());
        assertEquals(pruned.path("record").asLong(), prune.path("seq").asLong(), prune.toString());
        assertEquals(0, prune.path("actor_uid").asInt(-1), "the admin who pruned: " + prune);
    }

    /** Waits until every agent has seen {@code more} more successful calls. */
    private void awaitCalls(List<String> ids, int more) throws IOException {
        for (String id : ids) {
            Path ok = agentd.workspace(id).resolve("ok");
            int from = Files.exists(ok) ? Files.readAllLines(ok).size() : 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(ok) || Files.readAllLines(ok).size() < from + more) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(id + " made no progress: " + agentd.status(id) + "\n"
                            + String.join("\n", Files.readAllLines(agentd.logFile(id))));
                }
                Agentd.sleep(20);
            }
        }
    }

    private static void awaitFile(Path f) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(f)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(f + " did not appear");
            }
            Agentd.sleep(20);
        }
    }
}
