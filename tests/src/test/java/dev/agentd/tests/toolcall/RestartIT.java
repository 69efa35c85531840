package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.Kernel;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What survives an agentd restart (Daemon.close, then a new agentd on the same
 * root that re-adopts the running agents): grants with their used counters,
 * admin-added grants, pending approvals, the audit log — whose hash chain
 * {@code audit.verify} checks, and which catches an edit made behind agentd's
 * back in its SQLite file.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RestartIT {
    Agentd agentd;

    @BeforeEach
    void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
    }

    @AfterEach
    void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    @Test
    void grants_counters_approvals_and_audit_survive_a_restart() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("survivor")
                .cap("tool: echo, max_invocations: 10").cap("tool: file_stat").approval("file_stat"));
        long pid = agentd.status(d.id).path("pid").asLong();
        agentd.call("caps.grant", Map.of("id", d.id, "kind", "tool", "value", "file_list", "max_invocations", 3));
        for (int i = 0; i < 3; i++) {
            d.callOk("echo", Map.of("text", "before " + i));
        }
        // A call waiting for approval when agentd goes away.
        int waiting = d.send(cmd("op", "call", "name", "file_stat", "arguments", Map.of("path", Driver.CLIENT_DIR.toString())));
        JsonNode pending = Approvals.awaitPending(agentd, d.id, List.of());
        JsonNode grantsBefore = agentd.caps(d.id);
        List<JsonNode> auditBefore = agentd.auditRecords(null);
        assertTrue(agentd.auditVerify().path("ok").asBoolean());

        agentd.restart();

        // The agent was re-adopted, not restarted.
        JsonNode st = agentd.status(d.id);
        assertEquals("running", st.path("state").asText(), st.toString());
        assertEquals(pid, st.path("pid").asLong(), st.toString());
        // Grants, counters and the admin's grant, as they were.
        assertEquals(grantsBefore, agentd.caps(d.id));
        assertEquals(3, agentd.grant(d.id, "tool", "echo").path("used").asInt());
        // The pending approval is still there, same request.
        JsonNode after = Approvals.pending(agentd, d.id).stream()
                .filter(a -> a.path("id").asText().equals(pending.path("id").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("pending approval lost: " + pending));
        assertEquals(pending, after);
        // The audit log kept every record, unchanged, and goes on from there.
        List<JsonNode> auditAfter = agentd.auditRecords(null);
        assertEquals(auditBefore, auditAfter.subList(0, auditBefore.size()));
        assertTrue(auditAfter.stream().anyMatch(a -> a.path("event").asText().equals("adopt")
                && a.path("agent").asText().equals(d.id)), auditAfter.toString());

        // The call that was waiting lost its connection with the old agentd (the client says it may have run).
        JsonNode lost = d.await(waiting, Duration.ofSeconds(30));
        assertTrue(lost.path("exception").asText().startsWith("ConnectionError"), lost.toString());
        // The agent goes on with the new agentd: its client reconnects; the counters go on.
        assertEquals("after", Driver.text(d.callOk("echo", Map.of("text", "after"))));
        assertEquals(4, agentd.grant(d.id, "tool", "echo").path("used").asInt());
        // A new approval works as before.
        int again = d.send(cmd("op", "call", "name", "file_stat", "arguments", Map.of("path", Driver.CLIENT_DIR.toString())));
        JsonNode fresh = Approvals.awaitPending(agentd, d.id, List.of(pending.path("id").asText()));
        agentd.call("approval.approve", Map.of("id", fresh.path("id").asText()));
        JsonNode r = d.await(again);
        assertFalse(r.path("result").path("isError").asBoolean(true), r.toString());

        JsonNode v = agentd.auditVerify();
        assertTrue(v.path("ok").asBoolean(), v.toString());
        assertEquals(agentd.auditRecords(null).size(), v.path("records").asInt(), v.toString());
    }

    @Test
    void audit_verify_names_a_record_edited_in_the_database() throws Exception {
        Driver d = Driver.spawn(agentd, Driver.Spec.named("witness").cap("tool: echo"));
        d.callOk("echo", Map.of("text", "I was here"));
        agentd.restart();
        d.callOk("echo", Map.of("text", "and here"));
        assertTrue(agentd.auditVerify().path("ok").asBoolean(), agentd.auditVerify().toString());

        // Someone with access to the file rewrites history: the first call's record.
        JsonNode victim = agentd.auditRecords(d.id).stream()
                .filter(a -> a.path("event").asText().equals("toolcall")
                        && a.path("details").path("args_preview").asText().contains("I was here"))
                .findFirst().orElseThrow();
        long seq = victim.path("seq").asLong();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + agentd.database());
             PreparedStatement p = db.prepareStatement("UPDATE audit SET details = replace(details, 'I was here', "
                     + "'I was never here') WHERE seq = ?")) {
            p.setLong(1, seq);
            assertEquals(1, p.executeUpdate());
        }
        JsonNode v = agentd.auditVerify();
        assertFalse(v.path("ok").asBoolean(), v.toString());
        StringBuilder all = new StringBuilder();
        v.path("problems").forEach(x -> all.append(x.asText()).append('\n'));
        assertTrue(all.toString().contains("record " + seq + " (toolcall): content does not match its hash (edited)"),
                "the edited record is named: " + v);
        // Only that record: the others still check out.
        assertEquals(1, v.path("problems").size(), v.toString());
    }
}
