package dev.agentd.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log: appends, the chain, verification under load, tampering, pruning. */
class AuditLogTest {
    @TempDir
    Path dir;

    Path db;
    Path head;
    ByteArrayOutputStream journal = new ByteArrayOutputStream();
    AuditLog log;

    @BeforeEach
    void fill() throws Exception {
        db = dir.resolve("agentd.db");
        head = dir.resolve("audit.head");
        log = open();
        for (int i = 0; i < 5; i++) {
            log.append(0, "agent" + i, "spawn", "{\"n\":" + i + "}");
        }
        assertEquals(List.of(), log.verify().problems());
    }

    @AfterEach
    void close() {
        log.close();
    }

    private AuditLog open() throws IOException {
        return AuditLog.open(db, head, new PrintStream(journal, true, StandardCharsets.UTF_8));
    }

    private List<String> verify() throws Exception {
        log.close();
        log = open();
        return log.verify().problems();
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void append_returnsTheCommittedRecordAndJournalsIt() throws Exception {
        AuditRecord r = log.append(null, null, "daemon.start", "{\"pid\":1}");
        assertEquals(6, r.seq());
        assertEquals(AuditChain.hash(r), r.hash());
        log.close(); // the journal is written off the caller's path: close drains it
        String[] lines = journal.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].startsWith("{\"audit\":1,\"hash\":\""), lines[0]);
        assertTrue(lines[0].contains("\"event\":\"spawn\""), lines[0]);
        assertTrue(lines[5].contains("\"details\":{\"pid\":1}"), lines[5]);
        assertFalse(lines[5].contains("actor_uid"), lines[5]);
    }

    @Test
    void head_isOneFixedLengthLineWithAChecksum() throws Exception {
        String h = Files.readString(head);
        assertEquals(AuditHead.LENGTH, h.length());
        assertTrue(h.startsWith("00000000000000000005 "), h);
        assertEquals(5, AuditHead.read(head).orElseThrow().seq());
    }

    @Test
    void verify_aDamagedHeadFailsClosed() throws Exception {
        String h = Files.readString(head);
        Files.writeString(head, h.replace("00000000000000000005", "00000000000000000004"));
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.contains("is damaged")), p.toString());
    }

    @Test
    void verify_readsAHeadInTheOldFormat() throws Exception {
        AuditRecord last = log.rows(null, 4, 1).get(0);
        log.close();
        Files.writeString(head, "5 " + last.hash() + "\n");
        log = open();
        assertEquals(List.of(), log.verify().problems());
        log.append(null, null, "x", "{}");
        assertEquals(AuditHead.LENGTH, Files.size(head), "rewritten in the new format");
        assertEquals(List.of(), log.verify().problems());
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
    void verify_replacedTailWithRecomputedHashes() throws Exception {
        // The last record rewritten with a valid hash: the chain holds, the head does not.
        AuditRecord four = log.rows(null, 3, 1).get(0);
        String h = AuditChain.hash(four.hash(), 5, "t", 0, "a", "forged", "{}");
        sql("UPDATE audit SET time = 't', agent_id = 'a', event = 'forged', details = '{}', hash = '" + h + "' WHERE seq = 5");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.contains("record 5 is not the record agentd committed")), p.toString());
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

    @Test
    void verify_rowsBeyondTheHeadAreALiveAppendNotADeletion() throws Exception {
        // As after a kill -9 between a batch's commit and its head write.
        AuditRecord three = log.rows(null, 2, 1).get(0);
        log.close();
        byte[] h = Files.readAllBytes(head);
        try (AuditHead older = AuditHead.open(head)) {
            older.write(3, three.hash());
        }
        assertFalse(java.util.Arrays.equals(h, Files.readAllBytes(head)));
        log = open();
        Verification v = log.verify();
        assertEquals(List.of(), v.problems());
        assertEquals(3, v.headSeq());
        assertEquals(2, v.beyondHead());
        log.append(null, null, "x", "{}");
        assertEquals(6, AuditHead.read(head).orElseThrow().seq(), "the next batch moves the head on");
    }

    @Test
    void append_manyThreadsAtOnce_everyRecordCommittedOnceInOneChain() throws Exception {
        int threads = 32;
        int each = 200;
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<String> liveProblems = new ArrayList<>();
        // Verification while appends go on never reports them as deleted.
        Thread verifier = new Thread(() -> {
            try {
                go.await();
                while (!stop.get()) {
                    Verification v = log.verify();
                    synchronized (liveProblems) {
                        liveProblems.addAll(v.problems());
                    }
                }
            } catch (Exception e) {
                failures.add(e);
            }
        });
        verifier.start();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        AuditRecord r = log.append(null, "agent" + id, "toolcall", "{\"i\":" + i + "}");
                        // Committed before append returned: another connection sees it.
                        seqs.add(r.seq());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        for (Thread th : ts) {
            th.join();
        }
        stop.set(true);
        verifier.join();
        assertEquals(List.of(), new ArrayList<>(failures));
        assertEquals(List.of(), liveProblems);
        assertEquals(threads * each, seqs.size());
        Set<Long> unique = new HashSet<>(seqs);
        assertEquals(threads * each, unique.size(), "no sequence number twice");
        Verification v = log.verify();
        assertEquals(List.of(), v.problems());
        assertEquals(5 + threads * each, v.records());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT COUNT(*) FROM audit WHERE event = 'toolcall'")) {
            assertEquals(threads * each, r.getLong(1));
        }
    }

    @Test
    void append_byAnInterruptedCaller_commitsKeepsTheInterruptAndTheHeadGoesOn() throws Exception {
        // The caller may be the leader: its interrupt must not close the head's channel.
        Thread.currentThread().interrupt();
        AuditRecord r;
        try {
            r = log.append(null, null, "x", "{}");
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt is the caller's, kept");
        }
        assertEquals(6, AuditHead.read(head).orElseThrow().seq());
        log.append(null, null, "y", "{}");
        assertEquals(7, AuditHead.read(head).orElseThrow().seq());
        assertEquals(List.of(), log.verify().problems());
        assertEquals(6, r.seq());
    }

    @Test
    void close_whileManyAppend_eachAppendCommitsOrFailsClosed() throws Exception {
        int threads = 16;
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    while (true) {
                        seqs.add(log.append(null, "a", "toolcall", "{}").seq());
                    }
                } catch (IOException e) {
                    if (!e.getMessage().contains("closed")) {
                        failures.add(e);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            ts.add(th);
        }
        go.countDown();
        Thread.sleep(50);
        log.close();
        for (Thread th : ts) {
            th.join(); // none waits for ever on a log that closed under it
        }
        assertEquals(List.of(), new ArrayList<>(failures));
        log = open();
        Verification v = log.verify();
        assertEquals(List.of(), v.problems());
        assertEquals(5 + seqs.size(), v.records(), "every append that returned is in the log, and no other");
    }

    @Test
    void append_afterClose_fails() {
        log.close();
        assertThrows(IOException.class, () -> log.append(null, null, "x", "{}"));
    }

    @Test
    void append_whileTheDatabaseIsLocked_failsAndWritesNothing() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=0");
            s.execute("BEGIN EXCLUSIVE");
            try {
                assertThrows(IOException.class, () -> log.append(null, null, "locked out", "{}"));
            } finally {
                s.execute("ROLLBACK");
            }
        }
        AuditRecord next = log.append(null, null, "after", "{}");
        assertEquals(6, next.seq(), "the failed record took no sequence number");
        assertEquals(List.of(), log.verify().problems());
    }

    // ------------------------------------------------------------------ retention

    private Instant timeOf(long seq) throws IOException {
        return Instant.parse(log.rows(null, seq - 1, 1).get(0).time());
    }

    @Test
    void prune_deletesTheOldRecordsAndTheRestVerifies() throws Exception {
        Thread.sleep(5);
        Instant cut = Instant.now();
        Thread.sleep(5);
        log.append(null, "late", "spawn", "{}"); // record 6, after the cut
        Pruned p = log.prune(cut, 1000);
        assertEquals(5, p.records());
        assertEquals(1, p.fromSeq());
        assertEquals(5, p.toSeq());
        assertEquals("audit.prune", p.record().event());
        assertEquals(1000, p.record().actorUid());
        assertTrue(p.record().details().contains("\"anchor_seq\":5"), p.record().details());
        List<AuditRecord> left = log.rows(null, 0, 100);
        assertEquals(List.of(6L, 7L), left.stream().map(AuditRecord::seq).toList());
        assertEquals(List.of(), verify());
        log.append(null, null, "after", "{}");
        assertEquals(List.of(), verify());
    }

    @Test
    void prune_nothingOlder_recordsTheAttemptAndKeepsAll() throws Exception {
        Pruned p = log.prune(Instant.EPOCH, 0);
        assertEquals(0, p.records());
        assertEquals(6, log.rows(null, 0, 100).size());
        assertEquals(List.of(), verify());
    }

    @Test
    void prune_twice_verifiesFromTheNewestAnchor() throws Exception {
        log.prune(timeOf(3), 0); // deletes 1, 2; adds 6
        log.append(null, null, "x", "{}"); // 7
        Thread.sleep(5);
        log.prune(Instant.now(), 0); // deletes 3..7; adds 8
        assertEquals(List.of(8L), log.rows(null, 0, 100).stream().map(AuditRecord::seq).toList());
        assertEquals(List.of(), verify());
    }

    @Test
    void prune_thenTamperingIsStillFound() throws Exception {
        log.prune(timeOf(3), 0);
        log.append(null, null, "x", "{}");
        sql("UPDATE audit SET details = '{\"n\":42}' WHERE seq = 4");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 4 (spawn): content does not match")), p.toString());
    }

    @Test
    void prune_thenDeletingTheFirstKeptRecordIsFound() throws Exception {
        log.prune(timeOf(3), 0);
        sql("DELETE FROM audit WHERE seq = 3");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 4: expected sequence number 3")), p.toString());
    }

    @Test
    void prune_thenMovingTheAnchorToHideADeletionIsFound() throws Exception {
        log.prune(timeOf(3), 0);
        AuditRecord three = log.rows(null, 0, 1).get(0);
        // Delete record 3 and move the anchor to it, as a prune would have: the chain
        // from the anchor holds, but no audit.prune record set that anchor.
        sql("DELETE FROM audit WHERE seq = 3");
        sql("UPDATE audit_anchor SET seq = 3, hash = '" + three.hash() + "'");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.contains("the anchor was moved")), p.toString());
    }

    @Test
    void prune_theAnchorRowDeleted_isFound() throws Exception {
        log.prune(timeOf(3), 0);
        sql("DELETE FROM audit_anchor");
        List<String> p = verify();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("record 3: expected sequence number 1")), p.toString());
    }
}
