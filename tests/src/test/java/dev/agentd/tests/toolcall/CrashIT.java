package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * agentd (a separate JVM) is SIGKILLed right after an agent received a tool
 * result: the call's audit record was committed before the result was
 * written to the socket, so the restarted agentd has it, in an intact chain.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class CrashIT {
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
    void a_result_the_agent_received_is_in_the_audit_log_after_kill_9() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("crash").cap("tool: echo"));
        long agentPid = agentd.status(d.id).path("pid").asLong();
        d.callOk("echo", Map.of("text", "warm up"));
        String nonce = "last words " + UUID.randomUUID();
        int n = d.send(cmd("op", "call", "name", "echo", "arguments", Map.of("text", nonce)));

        // Watch the agent's log file on the host as tightly as we can; kill agentd the moment the agent has the result.
        Path log = agentd.logFile(d.id);
        String prefix = "DRIVER {\"n\": " + n + ",";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String answer = null;
        while (answer == null) {
            for (String l : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (l.startsWith(prefix)) {
                    answer = l;
                }
            }
            if (answer == null) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the agent never got its answer:\n" + String.join("\n", d.log()));
                }
                Thread.onSpinWait();
            }
        }
        agentd.killHard();
        assertTrue(answer.contains(nonce) && answer.contains("\"isError\": false"), answer);

        agentd.startAgain();
        List<JsonNode> records = agentd.auditRecords(d.id);
        assertTrue(records.stream().anyMatch(a -> a.path("event").asText().equals("toolcall")
                && a.path("details").path("tool").asText().equals("echo")
                && a.path("details").path("decision").asText().equals("allowed")
                && a.path("details").path("args_preview").asText().contains(nonce)),
                "the call the agent saw answered is not in the audit log: " + records);
        JsonNode v = agentd.auditVerify();
        assertTrue(v.path("ok").asBoolean(), "the chain is intact after kill -9: " + v);

        // The agent lived through it (re-adopted), and its next call reaches the new agentd.
        JsonNode st = agentd.status(d.id);
        assertEquals("running", st.path("state").asText(), st.toString());
        assertEquals(agentPid, st.path("pid").asLong(), st.toString());
        assertEquals("again", Driver.text(d.callOk("echo", Map.of("text", "again"))));
        assertFalse(agentd.auditRecords(d.id).isEmpty());
    }

    /**
     * The other half of the guarantee (toolcall-gateway README: "if it throws, the
     * agent gets -32603 instead of the result (no unaudited results)"): when the
     * audit record cannot be written — here the database is locked past agentd's
     * busy timeout — the agent must not get the result.
     */
    @Test
    void a_result_whose_audit_record_could_not_be_written_is_not_delivered() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("unaudited").cap("tool: echo"));
        d.callOk("echo", Map.of("text", "warm up"));
        String nonce = "unrecorded " + UUID.randomUUID();
        JsonNode r;
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:sqlite:" + agentd.database());
             java.sql.Statement s = db.createStatement()) {
            s.execute("BEGIN EXCLUSIVE");
            try {
                // agentd waits 5 s (busy_timeout) for the lock, then its audit write fails.
                r = d.call("echo", Map.of("text", nonce));
            } finally {
                s.execute("ROLLBACK");
            }
        }
        boolean recorded = agentd.auditRecords(d.id).stream().anyMatch(a -> a.path("event").asText().equals("toolcall")
                && a.path("details").path("args_preview").asText().contains(nonce));
        boolean delivered = r.has("result") && !r.path("result").path("isError").asBoolean(true);
        assertTrue(recorded || !delivered, "the agent got a result that is in no audit record: " + r);
        if (!recorded) {
            assertEquals(-32603, r.path("error").path("code").asInt(), r.toString());
        }
    }
}
