package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log detects any edited, inserted or deleted record. */
class AuditChainTest {
    @TempDir
    Path dir;

    Path db;
    Path head;
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void fill() throws Exception {
        db = dir.resolve("agentd.db");
        head = dir.resolve("audit.head");
        try (Store s = Store.open(db)) {
            Audit a = new Audit(s, new PrintStream(out), head);
            for (int i = 0; i < 5; i++) {
                a.record(0, "agent" + i, "spawn", Map.of("n", i));
            }
            assertEquals(List.of(), a.verify());
        }
    }

    private List<String> verify() throws Exception {
        try (Store s = Store.open(db)) {
            return new Audit(s, new PrintStream(out), head).verify();
        }
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void record_streamsJsonLinesWithTheChainHash() {
        String first = out.toString().split("\n")[0];
        assertTrue(first.startsWith("{\"audit\":1,\"hash\":\""), first);
        assertTrue(first.contains("\"event\":\"spawn\""), first);
    }

    @Test
    void verify_editedRecord() throws Exception {
        sql("UPDATE audit SET details = '{\"n\":42}' WHERE seq = 3");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 3 (spawn): content does not match its hash")), p.toString());
    }

    @Test
    void verify_deletedRecord() throws Exception {
        sql("DELETE FROM audit WHERE seq = 2");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 3: expected sequence number 2")), p.toString());
    }

    @Test
    void verify_deletedTail() throws Exception {
        sql("DELETE FROM audit WHERE seq = 5");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.contains("records deleted at the end")), p.toString());
    }

    @Test
    void verify_insertedRecordWithRecomputedHash() throws Exception {
        // An attacker who knows the scheme recomputes the inserted record's
        // hash, but cannot make the next record follow it.
        sql("UPDATE audit SET seq = seq + 100 WHERE seq >= 3");
        sql("UPDATE audit SET seq = seq - 99 WHERE seq >= 103");
        String h = AuditChain.hash("x", 3, "t", 0, "a", "forged", "{}");
        sql("INSERT INTO audit (seq, time, actor_uid, agent_id, event, details, prev_hash, hash) VALUES (3, 't', 0, 'a', 'forged', '{}', 'x', '" + h + "')");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 3: does not follow")), p.toString());
    }
}
