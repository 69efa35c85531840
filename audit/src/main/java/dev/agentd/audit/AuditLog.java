package dev.agentd.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * agentd's audit log: a hash-chained table ({@code audit}) in a SQLite
 * database (WAL), a head file outside it, and a JSON line per record for the
 * journal.
 *
 * <h2>Group commit, leader and followers</h2>
 * {@link #append} queues its record and tries the commit lock. The caller
 * that gets it is the leader: it takes whatever is queued (up to
 * {@value #MAX_BATCH} records, its own among them), chains and inserts them
 * in one transaction, commits, rewrites the head once, and only then
 * releases the callers of the batch. The others wait for their record's
 * outcome. Records queued during a commit go in the leader's next batch (a
 * few batches at most); when the leader lets go of the lock with records
 * still queued it wakes the owner of the oldest one, which leads on. So an idle
 * log commits on the caller's own thread (no hand-off to a writer and back),
 * and under load many calls share one commit and one head write. A record
 * is committed before its {@code append} returns (so a tool call's result,
 * which goes back only after its record's {@code append} returned, is never
 * unaudited). The statement, the newest record's sequence number and hash,
 * and the order of records belong to whoever holds the commit lock; prune
 * and close take it too. The journal lines are printed by another thread
 * after the commit, so a slow journal never delays a call.
 *
 * <h2>Verification</h2>
 * {@link #verify} reads the head first and then the anchor and every row in
 * one read transaction (one snapshot). The head is written after its batch
 * committed, so the snapshot holds at least every record the head names:
 * rows beyond the head are appends made since (or a batch whose head write a
 * crash cut short), checked like the others, never a deletion. A table that
 * ends before the head lost its tail.
 *
 * <h2>Retention</h2>
 * {@link #prune} deletes the oldest records and keeps the rest verifiable:
 * one transaction stores the last deleted record's sequence number and hash
 * as the anchor ({@code audit_anchor}), deletes the records, and appends a
 * chained {@code audit.prune} record naming who pruned which records and the
 * anchor's hash. Verification starts from the anchor and checks that the
 * newest {@code audit.prune} record names it, so moving the anchor to hide a
 * deletion is found like any other edit.
 */
public final class AuditLog implements AutoCloseable {
    /** Most records one transaction takes. */
    public static final int MAX_BATCH = 4096;
    /** Most batches one leader commits before it hands the rest on. */
    private static final int MAX_ROUNDS = 8;
    private static final long JOURNAL_PAUSE_MS = 2;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final Path dbFile;
    private final Path headFile;
    private final PrintStream journal;
    private final Connection writeDb;
    private final Connection readDb;
    private final AuditHead head;
    private final ConcurrentLinkedQueue<Op> queue = new ConcurrentLinkedQueue<>();
    private final LinkedBlockingQueue<List<AuditRecord>> toJournal = new LinkedBlockingQueue<>();
    private final Thread journaler;
    private volatile boolean closed;
    /** Held by the caller committing a batch (the leader), by prune's batch and by close. */
    private final ReentrantLock commitLock = new ReentrantLock();
    /** The leader's statement; guarded by commitLock. */
    private final PreparedStatement insert;
    /** The newest committed record; guarded by commitLock. */
    private long lastSeq;
    private String lastHash;
    /** Set by close under commitLock: records queued after close's last batch are refused. */
    private boolean stopped;

    /**
     * A queued append or prune and its outcome. Its caller parks until the
     * outcome is in, or until the previous leader wakes it to lead.
     */
    private abstract static class Op {
        final Thread caller = Thread.currentThread();
        private volatile Object outcome; // the result, or an IOException
        volatile boolean nudged;

        final void complete(Object result) {
            outcome = result;
            LockSupport.unpark(caller);
        }

        final void fail(IOException why) {
            complete(why);
        }

        final boolean isDone() {
            return outcome != null;
        }

        final void nudge() {
            nudged = true;
            LockSupport.unpark(caller);
        }
    }

    private static final class Append extends Op {
        final Integer actorUid;
        final String agentId;
        final String event;
        final String details;

        Append(Integer actorUid, String agentId, String event, String details) {
            this.actorUid = actorUid;
            this.agentId = agentId;
            this.event = event;
            this.details = details;
        }
    }

    private static final class Prune extends Op {
        final Instant before;
        final Integer actorUid;

        Prune(Instant before, Integer actorUid) {
            this.before = before;
            this.actorUid = actorUid;
        }
    }

    private AuditLog(Path dbFile, Path headFile, PrintStream journal, Connection writeDb, Connection readDb)
            throws SQLException {
        this.dbFile = dbFile;
        this.headFile = headFile;
        this.journal = journal;
        this.writeDb = writeDb;
        this.readDb = readDb;
        this.head = AuditHead.open(headFile);
        lastSeq = 0;
        lastHash = AuditChain.GENESIS;
        try (Statement s = writeDb.createStatement();
             ResultSet r = s.executeQuery("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")) {
            if (r.next()) {
                lastSeq = r.getLong(1);
                lastHash = r.getString(2);
            } else {
                Optional<Anchor> a = anchor(writeDb);
                if (a.isPresent()) {
                    lastSeq = a.get().seq();
                    lastHash = a.get().hash();
                }
            }
        }
        writeDb.setAutoCommit(false);
        insert = writeDb.prepareStatement(
                "INSERT INTO audit (seq, time, actor_uid, agent_id, event, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)");
        journaler = new Thread(this::journalLoop, "audit-journal");
        journaler.setDaemon(true);
        journaler.start();
    }

    /**
     * Opens (creating when needed) the log in {@code db}. The table is the
     * one agentd has always used; an existing log is kept as it is.
     *
     * @param head    the head file, beside the database
     * @param journal where each committed record goes as one JSON line (agentd's stdout, for journald)
     */
    public static AuditLog open(Path db, Path head, PrintStream journal) throws IOException {
        Connection w = null;
        Connection r = null;
        try {
            Files.createDirectories(db.toAbsolutePath().getParent());
            w = connect(db);
            try (Statement s = w.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS audit ("
                        + "seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor_uid INTEGER,"
                        + " agent_id TEXT, event TEXT NOT NULL, details TEXT NOT NULL,"
                        + " prev_hash TEXT NOT NULL, hash TEXT NOT NULL)");
                s.execute("CREATE INDEX IF NOT EXISTS audit_agent ON audit(agent_id)");
                // One row at most: the last pruned record, from which the kept chain goes on.
                s.execute("CREATE TABLE IF NOT EXISTS audit_anchor (id INTEGER PRIMARY KEY CHECK (id = 1),"
                        + " seq INTEGER NOT NULL, hash TEXT NOT NULL, pruned_at TEXT NOT NULL)");
            }
            r = connect(db);
            return new AuditLog(db, head, journal, w, r);
        } catch (SQLException e) {
            closeQuietly(w);
            closeQuietly(r);
            throw new IOException("cannot open the audit log in " + db + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path db) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            // NORMAL in WAL mode survives a process crash (only power loss can lose
            // the last transactions); the audit log's guarantee is about agentd
            // being killed. The head file is kept to the same rule (AuditHead).
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA busy_timeout=5000");
        }
        return c;
    }

    /**
     * Appends a record and returns once it is committed, with its sequence
     * number, time and hash.
     *
     * @param actorUid    who asked: an admin peer's uid, or null for agentd itself
     * @param detailsJson a JSON object
     * @throws IOException when the record could not be committed (nothing of it is in the log)
     */
    public AuditRecord append(Integer actorUid, String agentId, String event, String detailsJson) throws IOException {
        Append a = new Append(actorUid, agentId, event, detailsJson);
        return (AuditRecord) submitAndAwait(a, event);
    }

    /**
     * Deletes every record before the first one written at or after
     * {@code before} (the kept records stay one unbroken chain), anchors the
     * rest at the last deleted record, and appends an {@code audit.prune}
     * record by {@code actorUid}, all in one transaction.
     */
    public Pruned prune(Instant before, Integer actorUid) throws IOException {
        return (Pruned) submitAndAwait(new Prune(before, actorUid), "audit.prune");
    }

    private Object submitAndAwait(Op op, String what) throws IOException {
        if (closed) {
            throw new IOException("the audit log is closed");
        }
        queue.add(op);
        // Interrupts wait: the record may commit anyway, so the caller waits for
        // the truth rather than guess; and a leader's head write must not be cut
        // short by one (an interrupted FileChannel closes itself).
        boolean interrupted = Thread.interrupted();
        try {
            lead();
            while (!op.isDone()) {
                LockSupport.parkNanos(this, java.util.concurrent.TimeUnit.SECONDS.toNanos(1));
                if (Thread.interrupted()) {
                    interrupted = true;
                }
                if (!op.isDone()) {
                    // Woken to lead (the leader before let go with records queued),
                    // or a second passed: either way, try.
                    op.nudged = false;
                    lead();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Object o = op.outcome;
        if (o instanceof IOException io) {
            throw new IOException(io.getMessage(), io);
        }
        return o;
    }

    // ------------------------------------------------------------------ the leader

    /**
     * Commits one batch of what is queued if no one else is committing; then,
     * with records still queued, wakes the owner of the oldest to lead the
     * next batch (a caller that found the lock taken waits for exactly this).
     */
    private void lead() {
        if (!commitLock.tryLock()) {
            return;
        }
        try {
            // Records that queued meanwhile are committed by the leader while it
            // is running anyway, as a writer thread would: waking another caller
            // to lead costs a wake-up per batch, which under load is the
            // throughput. A few batches at most, so that no caller's own answer
            // waits long behind others'.
            runBatch();
            for (int round = 1; round < MAX_ROUNDS && !queue.isEmpty(); round++) {
                runBatch();
            }
        } finally {
            commitLock.unlock();
        }
        wakeNext();
    }

    private void wakeNext() {
        Op next = queue.peek();
        if (next != null) {
            next.nudge();
        }
    }

    private final List<Append> appends = new ArrayList<>(); // guarded by commitLock

    /** Under commitLock: up to {@value #MAX_BATCH} queued ops, in their order, appends grouped between prunes. */
    private void runBatch() {
        if (stopped) {
            failQueued(new IOException("the audit log is closed"));
            return;
        }
        for (int n = 0; n < MAX_BATCH; n++) {
            Op op = queue.poll();
            if (op == null) {
                break;
            }
            if (op instanceof Append a) {
                appends.add(a);
                continue;
            }
            commitAppends(insert, appends);
            prune(insert, (Prune) op);
        }
        commitAppends(insert, appends);
    }

    /** One transaction for every queued append; their callers are released once it committed. */
    private void commitAppends(PreparedStatement insert, List<Append> appends) {
        if (appends.isEmpty()) {
            return;
        }
        List<AuditRecord> written = new ArrayList<>(appends.size());
        long seq = lastSeq;
        String prev = lastHash;
        try {
            for (Append a : appends) {
                AuditRecord r = chained(++seq, prev, a.actorUid, a.agentId, a.event, a.details);
                bind(insert, r);
                insert.addBatch();
                written.add(r);
                prev = r.hash();
            }
            insert.executeBatch();
            writeDb.commit();
        } catch (SQLException e) {
            try {
                insert.clearBatch();
            } catch (SQLException ignored) {
                // the statement is reused; a batch it still held would be rolled back with this one
            }
            rollback();
            IOException failure = new IOException("cannot write audit records (" + appends.size() + ", the first "
                    + appends.get(0).event + ") to " + dbFile + ": " + e.getMessage(), e);
            appends.forEach(a -> a.fail(failure));
            appends.clear();
            return;
        }
        lastSeq = seq;
        lastHash = prev;
        writeHead();
        for (int i = 0; i < appends.size(); i++) {
            appends.get(i).complete(written.get(i));
        }
        appends.clear();
        toJournal.add(written);
    }

    private void prune(PreparedStatement insert, Prune p) {
        try {
            long cut = 0;
            String cutHash = null;
            long from = 0;
            long count = 0;
            try (Statement lock = writeDb.createStatement()) {
                // A write first, so the transaction holds the write lock before it
                // reads: a read snapshot upgraded to a write later could be refused
                // (SQLITE_BUSY_SNAPSHOT) if agentd wrote its other tables meanwhile.
                lock.executeUpdate("DELETE FROM audit WHERE 0");
            }
            // The kept records must stay one chain: stop at the first record at or
            // after the cut, even if a later one carries an earlier time (a clock
            // set back).
            try (Statement s = writeDb.createStatement();
                 ResultSet r = s.executeQuery("SELECT seq, time, hash FROM audit ORDER BY seq")) {
                while (r.next()) {
                    if (!parseTime(r.getString(2)).isBefore(p.before)) {
                        break;
                    }
                    if (from == 0) {
                        from = r.getLong(1);
                    }
                    cut = r.getLong(1);
                    cutHash = r.getString(3);
                    count++;
                }
            }
            String now = Instant.now().toString();
            if (count > 0) {
                try (PreparedStatement a = writeDb.prepareStatement(
                        "INSERT OR REPLACE INTO audit_anchor (id, seq, hash, pruned_at) VALUES (1, ?, ?, ?)")) {
                    a.setLong(1, cut);
                    a.setString(2, cutHash);
                    a.setString(3, now);
                    a.executeUpdate();
                }
                try (PreparedStatement d = writeDb.prepareStatement("DELETE FROM audit WHERE seq <= ?")) {
                    d.setLong(1, cut);
                    d.executeUpdate();
                }
            }
            Optional<Anchor> anchor = anchor(writeDb);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("before", p.before.toString());
            details.put("records", count);
            details.put("from_seq", from);
            details.put("to_seq", cut);
            // The anchor the kept chain starts from after this prune (an earlier one when nothing was deleted).
            details.put("anchor_seq", anchor.map(Anchor::seq).orElse(0L));
            details.put("anchor_hash", anchor.map(Anchor::hash).orElse(AuditChain.GENESIS));
            AuditRecord rec = chained(lastSeq + 1, lastHash, p.actorUid, null, "audit.prune",
                    JSON.writeValueAsString(details));
            bind(insert, rec);
            insert.executeUpdate();
            writeDb.commit();
            lastSeq = rec.seq();
            lastHash = rec.hash();
            writeHead();
            toJournal.add(List.of(rec));
            p.complete(new Pruned(count, from, cut, cutHash == null ? null : cutHash, rec));
        } catch (SQLException | IOException | RuntimeException e) {
            rollback();
            p.fail(new IOException("cannot prune the audit log in " + dbFile + ": " + e.getMessage(), e));
        }
    }

    private static AuditRecord chained(long seq, String prev, Integer actorUid, String agentId, String event,
            String details) {
        String time = Instant.now().toString();
        return new AuditRecord(seq, time, actorUid, agentId, event, details, prev,
                AuditChain.hash(prev, seq, time, actorUid, agentId, event, details));
    }

    private static void bind(PreparedStatement p, AuditRecord r) throws SQLException {
        p.setLong(1, r.seq());
        p.setString(2, r.time());
        if (r.actorUid() == null) {
            p.setNull(3, Types.INTEGER);
        } else {
            p.setInt(3, r.actorUid());
        }
        p.setString(4, r.agentId());
        p.setString(5, r.event());
        p.setString(6, r.details());
        p.setString(7, r.prevHash());
        p.setString(8, r.hash());
    }

    /**
     * After a commit: the records are in the log whatever happens here. A head
     * that could not be written lags behind; verification reads the records
     * after it as not yet headed, and the next batch's write catches up.
     */
    private void writeHead() {
        try {
            head.write(lastSeq, lastHash);
        } catch (IOException e) {
            System.err.println("agentd: AUDIT HEAD WRITE FAILED (" + headFile + ", record " + lastSeq + "): "
                    + e.getMessage());
        }
    }

    private void rollback() {
        try {
            writeDb.rollback();
        } catch (SQLException ignored) {
            // nothing was committed; the next batch starts a fresh transaction
        }
    }

    private void failQueued(IOException why) {
        for (Op op; (op = queue.poll()) != null; ) {
            op.fail(why);
        }
    }

    // ------------------------------------------------------------------ the journal

    /**
     * Prints what the commits handed over. After each wake-up it waits a
     * moment before taking the rest: a commit that finds the queue not empty
     * wakes no one, so under load the journal costs a wake-up per
     * {@value #JOURNAL_PAUSE_MS} ms instead of one per batch (a context switch
     * on a tool call's cores); its lines are that much later, never lost.
     */
    private void journalLoop() {
        List<List<AuditRecord>> batches = new ArrayList<>();
        try {
            while (true) {
                batches.clear();
                batches.add(toJournal.take());
                Thread.sleep(JOURNAL_PAUSE_MS);
                toJournal.drainTo(batches);
                StringBuilder lines = new StringBuilder();
                boolean end = false;
                for (List<AuditRecord> records : batches) {
                    if (records.isEmpty()) {
                        end = true; // close(): the last batches came before it
                        break;
                    }
                    for (AuditRecord r : records) {
                        lines.append(journalLine(r)).append('\n');
                    }
                }
                if (lines.length() > 0) {
                    journal.print(lines);
                    journal.flush();
                }
                if (end) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** {@code {"audit": SEQ, "hash", "time", "event", "actor_uid"?, "agent"?, "details"}}. */
    static String journalLine(AuditRecord r) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON_FACTORY.createGenerator(w)) {
            g.writeStartObject();
            g.writeNumberField("audit", r.seq());
            g.writeStringField("hash", r.hash());
            g.writeStringField("time", r.time());
            g.writeStringField("event", r.event());
            if (r.actorUid() != null) {
                g.writeNumberField("actor_uid", r.actorUid());
            }
            if (r.agentId() != null) {
                g.writeStringField("agent", r.agentId());
            }
            g.writeFieldName("details");
            g.writeRawValue(r.details());
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to a string", e);
        }
        return w.toString();
    }

    // ------------------------------------------------------------------ readers

    private record Anchor(long seq, String hash) {}

    private static Optional<Anchor> anchor(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT seq, hash FROM audit_anchor WHERE id = 1")) {
            return r.next() ? Optional.of(new Anchor(r.getLong(1), r.getString(2))) : Optional.empty();
        }
    }

    /** Checks the whole kept log against its anchor and its head; see the class comment. */
    public Verification verify() throws IOException {
        List<String> problems = new ArrayList<>();
        // The head first: everything it names was committed before it was
        // written, so the snapshot taken after it holds all of it.
        Optional<AuditHead.Position> headPos = Optional.empty();
        boolean headReadable = true;
        try {
            headPos = head.read();
        } catch (IOException e) {
            problems.add(e.getMessage());
            headReadable = false;
        }
        synchronized (readDb) {
            try {
                readDb.setAutoCommit(false);
                Optional<Anchor> anchor = anchor(readDb);
                long anchorSeq = anchor.map(Anchor::seq).orElse(0L);
                String prev = anchor.map(Anchor::hash).orElse(AuditChain.GENESIS);
                long expectSeq = anchorSeq + 1;
                long records = 0;
                long headSeq = headPos.map(AuditHead.Position::seq).orElse(0L);
                boolean headSeen = false;
                AuditRecord lastPrune = null;
                try (Statement s = readDb.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM audit ORDER BY seq")) {
                    while (r.next()) {
                        AuditRecord row = row(r);
                        records++;
                        if (row.seq() != expectSeq) {
                            problems.add("record " + row.seq() + ": expected sequence number " + expectSeq
                                    + (row.seq() > expectSeq ? " (records deleted)" : " (records inserted)"));
                        }
                        if (!row.prevHash().equals(prev)) {
                            problems.add("record " + row.seq() + ": does not follow the record before it (chain broken:"
                                    + " a record was inserted, deleted or edited before it)");
                        }
                        if (!AuditChain.hash(row).equals(row.hash())) {
                            problems.add("record " + row.seq() + " (" + row.event() + "): content does not match its hash (edited)");
                        }
                        if (headPos.isPresent() && row.seq() == headSeq) {
                            headSeen = true;
                            if (!row.hash().equals(headPos.get().hash())) {
                                problems.add("record " + row.seq() + " is not the record agentd committed there (its hash"
                                        + " differs from the head's)");
                            }
                        }
                        if (row.event().equals("audit.prune")) {
                            lastPrune = row;
                        }
                        prev = row.hash();
                        expectSeq = row.seq() + 1;
                    }
                }
                long lastSeq = expectSeq - 1;
                if (anchor.isPresent()) {
                    checkAnchor(anchor.get(), lastPrune, problems);
                }
                if (headPos.isPresent()) {
                    // A head at or before the anchor: a prune committed and agentd was killed
                    // before the head write; the kept records are all checked from the anchor.
                    if (headSeq > lastSeq) {
                        problems.add("the log ends at record " + lastSeq + " but agentd committed up to record " + headSeq
                                + " (records deleted at the end)");
                    } else if (!headSeen && headSeq > anchorSeq) {
                        problems.add("record " + headSeq + ", the last one agentd committed, is missing");
                    }
                } else if (headReadable && records > 0) {
                    problems.add("the head file " + headFile + " is missing");
                }
                long beyond = lastSeq - Math.max(headSeq, anchorSeq);
                return new Verification(records, headSeq, Math.max(0, beyond), anchorSeq, problems);
            } catch (SQLException e) {
                throw new IOException("cannot read the audit log in " + dbFile + ": " + e.getMessage(), e);
            } finally {
                endRead();
            }
        }
    }

    /** The anchor must be the one the newest {@code audit.prune} record set. */
    private static void checkAnchor(Anchor anchor, AuditRecord lastPrune, List<String> problems) {
        if (lastPrune == null) {
            problems.add("the log starts after record " + anchor.seq() + " (pruned) but no audit.prune record names"
                    + " that cut (records deleted and the anchor moved)");
            return;
        }
        try {
            JsonNode d = JSON.readTree(lastPrune.details());
            if (d.path("anchor_seq").asLong(-1) != anchor.seq() || !anchor.hash().equals(d.path("anchor_hash").asText())) {
                problems.add("the log starts after record " + anchor.seq() + " but the last audit.prune record ("
                        + lastPrune.seq() + ") cut at record " + d.path("anchor_seq").asLong(-1)
                        + " (the anchor was moved)");
            }
        } catch (IOException e) {
            problems.add("record " + lastPrune.seq() + " (audit.prune): details are not JSON");
        }
    }

    /**
     * Records oldest first, after {@code afterSeq}, of one agent when
     * {@code agentId} is not null, at most {@code limit}.
     */
    public List<AuditRecord> rows(String agentId, long afterSeq, int limit) throws IOException {
        String sql = "SELECT * FROM audit WHERE seq > ?" + (agentId == null ? "" : " AND agent_id = ?") + " ORDER BY seq LIMIT ?";
        synchronized (readDb) {
            try (PreparedStatement p = readDb.prepareStatement(sql)) {
                readDb.setAutoCommit(true);
                int i = 1;
                p.setLong(i++, afterSeq);
                if (agentId != null) {
                    p.setString(i++, agentId);
                }
                p.setInt(i, limit);
                List<AuditRecord> out = new ArrayList<>();
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(row(r));
                    }
                }
                return out;
            } catch (SQLException e) {
                throw new IOException("cannot read the audit log in " + dbFile + ": " + e.getMessage(), e);
            }
        }
    }

    private void endRead() {
        try {
            readDb.commit();
            readDb.setAutoCommit(true);
        } catch (SQLException ignored) {
            // a read transaction: nothing to keep
        }
    }

    private static AuditRecord row(ResultSet r) throws SQLException {
        int uid = r.getInt("actor_uid");
        Integer actor = r.wasNull() ? null : uid;
        return new AuditRecord(r.getLong("seq"), r.getString("time"), actor, r.getString("agent_id"),
                r.getString("event"), r.getString("details"), r.getString("prev_hash"), r.getString("hash"));
    }

    private static Instant parseTime(String t) {
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException e) {
            return Instant.MAX; // an unreadable time ends the cut: keep it, verification reports the edit
        }
    }

    /**
     * Commits what is queued, prints its journal lines, and closes. Appends
     * after this fail.
     */
    @Override
    public void close() {
        closed = true;
        // An interrupted caller still closes: the last batch and its head write
        // must not be cut short (the interrupt is kept for the caller).
        boolean interrupted = Thread.interrupted();
        try {
            closeInterruptibly();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void closeInterruptibly() {
        boolean locked = false;
        try {
            // Bounded like the writer thread's join was: a commit stuck in SQLite
            // does not hold up agentd's shutdown for ever.
            locked = commitLock.tryLock(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (locked) {
            try {
                if (!stopped) {
                    while (!queue.isEmpty()) {
                        runBatch();
                    }
                    stopped = true;
                    try {
                        insert.close();
                    } catch (SQLException ignored) {
                        // closing
                    }
                }
            } finally {
                commitLock.unlock();
            }
            // Anyone who queued after the last batch is woken to find the log closed.
            wakeNext();
            toJournal.add(List.of());
        }
        try {
            journaler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            return; // a commit still holds the connection; the process is ending anyway
        }
        try {
            head.close();
        } catch (IOException e) {
            // the head was written; closing the channel frees a descriptor only
        }
        synchronized (readDb) {
            closeQuietly(readDb);
        }
        closeQuietly(writeDb);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing
            }
        }
    }
}
