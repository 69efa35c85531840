package dev.agentd.broker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Holds every agent's grants and decides every capability check. One per agentd, thread-safe,
 * persistent in its own {@code broker_*} tables of the SQLite file it is given (which may be
 * agentd's own database).
 *
 * <p>Invariants:
 * <ul>
 *   <li>A child agent's grant is narrowed from exactly one of its parent's grants and points to it
 *       ({@code parentGrantId}). Counters, rate buckets, expiry and revocation are checked on the
 *       whole chain, never copied, so a child can never outspend or outlive what it was given.</li>
 *   <li>Every change and the events describing it happen in one transaction; the listener sees the
 *       events before the commit (see {@link BrokerListener}).</li>
 *   <li>One JDBC connection, used only under the database lock: SQLite serializes writers anyway.</li>
 *   <li>Decisions ({@link #authorize}, {@link #check}, {@link #liveGrants}, {@link #grants},
 *       {@link #chain}) are made from memory: every agent and grant is loaded at open, and every
 *       write updates the in-memory copy right after its commit (never before: a decision never
 *       sees a change that could still roll back). A call takes no broker-wide lock: only the
 *       {@link Counter} locks of the grant chain it uses, root first, and the database lock inside
 *       them when a counter must reserve its next block (see {@link Counter} for the rule that
 *       keeps budgets across crashes). A write never takes a counter lock, so the two cannot
 *       deadlock (the ordering is explained in {@link Invocations}, which owns it).</li>
 * </ul>
 *
 * <p>This class is the facade; the work is done by package-private rooms: {@link GrantStore}
 * (agents and grants, SQLite and the in-memory copy) with {@link Delegation} (what a parent may
 * give), {@link Decisions} (which grant allows a call) with {@link Invocations} (counters and
 * rates, and the lock ordering), {@link Approvals}, {@link Events} (listener delivery) and
 * {@link Database} (the connection, its lock and write transactions).
 */
public final class Broker implements Authorizer, AutoCloseable {
    static final int SCHEMA_VERSION = 1;

    private final Clock clock;
    private final Events events;
    private final Database db;
    private final GrantStore store;
    private final Invocations invocations;
    private final Decisions decisions;
    private final Approvals approvals;

    private Broker(Clock clock, Events events, Database db) {
        this.clock = clock;
        this.events = events;
        this.db = db;
        GrantRows rows = new GrantRows(db);
        this.store = new GrantStore(db, rows, events, clock);
        this.invocations = new Invocations(db);
        this.decisions = new Decisions(store, invocations, clock);
        this.approvals = new Approvals(db, events, rows, clock);
    }

    /**
     * Opens (creating if needed) the broker's tables in {@code dbFile}.
     *
     * @param clock    the time used for expiry, rates and approvals (tests pass a fixed one)
     * @param listener receives every event; {@link BrokerListener#NONE} to ignore them
     * @throws BrokerException if the file cannot be opened or holds a newer broker schema
     */
    public static Broker open(Path dbFile, Clock clock, BrokerListener listener) {
        Objects.requireNonNull(dbFile, "dbFile");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(listener, "listener");
        Database db = null;
        try {
            Events events = new Events(clock, listener);
            db = Database.open(dbFile, events);
            Broker b = new Broker(clock, events, db);
            b.store.load();
            return b;
        } catch (SQLException | java.io.IOException e) {
            Database.closeQuietly(db == null ? null : db.connection());
            throw new BrokerException("cannot open broker database " + dbFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            Database.closeQuietly(db == null ? null : db.connection());
            throw e;
        }
    }

    /** The database file this broker was opened on. */
    public Path dbFile() {
        return db.file();
    }

    public Clock clock() {
        return clock;
    }

    // ------------------------------------------------------------------ agents

    /**
     * Records an agent and its grants, all or nothing.
     *
     * <p>A top-level agent ({@code parentAgentId} null) must be registered on behalf of an admin and
     * gets what it asks. A child gets only what its parent holds: each request must be covered by
     * one live parent grant of the same kind whose value is equal or broader and whose constraints
     * are no tighter. A constraint the child omits is inherited through the chain (the parent's
     * counter, rate and expiry still apply to every call); one it states must be no looser.
     *
     * @param onBehalfOf an admin, or for a child the parent agent itself
     * @return the grants created, in request order
     * @throws DelegationException      naming the first request the parent cannot give
     * @throws IllegalArgumentException for a malformed value, an unknown parent, or a principal
     *                                  that does not fit
     * @throws IllegalStateException    if {@code agentId} was registered before (ids are not reused:
     *                                  the audit trail keeps the old one)
     */
    public List<Grant> registerAgent(String agentId, String parentAgentId, Principal onBehalfOf,
                                     List<GrantRequest> grants) {
        return store.registerAgent(agentId, parentAgentId, onBehalfOf, grants);
    }

    /**
     * Marks the agent gone: its own grants no longer allow anything, but every row stays for the
     * audit trail, and grants its children were narrowed from keep counting their calls.
     *
     * @return false if it was already forgotten
     */
    public boolean forgetAgent(String agentId) {
        return store.forgetAgent(agentId);
    }

    /** True if {@code agentId} was registered (even if since forgotten). */
    public boolean isRegistered(String agentId) {
        db.ensureOpen();
        return agentId != null && store.agent(agentId) != null;
    }

    /**
     * On whose behalf the agent acts: the agent, its parent agents, and the admin who started the
     * top-level one.
     */
    public List<Principal> chain(String agentId) {
        db.ensureOpen();
        return store.chain(agentId);
    }

    // ------------------------------------------------------------------ grants

    /**
     * Adds a grant to an agent. An admin may give anything (it becomes a root of its own chain);
     * an agent may give only to its own child and only what it holds, as for
     * {@link #registerAgent}.
     *
     * @throws DelegationException   if {@code by} is the parent and does not hold what it gives
     * @throws NotPermittedException if {@code by} is an agent other than the parent
     */
    public Grant grant(String agentId, GrantRequest request, Principal by) {
        return store.grant(agentId, request, by);
    }

    /**
     * Revokes a grant and every grant narrowed from it, in every descendant agent.
     *
     * @param by an admin, or an agent revoking a grant of its own or of one of its descendants
     * @return the agents that lost a grant (for {@code notifications/tools/list_changed}); empty if
     *         all were already revoked
     */
    public Set<String> revoke(long grantId, Principal by) {
        return store.revoke(grantId, by);
    }

    /** All the agent's grants, live and not, with their counters; ordered by id. */
    public List<GrantStatus> grants(String agentId) {
        db.ensureOpen();
        return decisions.grants(agentId);
    }

    @Override
    public List<Grant> liveGrants(String agentId, GrantKind kind) {
        Objects.requireNonNull(kind, "kind");
        db.ensureOpen();
        return decisions.liveGrants(agentId, kind);
    }

    /**
     * Decides from memory and consumes one invocation (and one rate token) on every grant of the
     * chain used, under those grants' counter locks only. Commits to the database only when a
     * counter's reserved block is used up (see {@link Counter}); then the decision waits for that
     * commit, and if it fails, nothing is consumed and {@link BrokerException} is thrown.
     *
     * <p>Its {@link BrokerEvent.Type#AUTHORIZED} or {@link BrokerEvent.Type#DENIED} event is
     * delivered after the decision, on this thread, outside any transaction. A listener that
     * throws makes this throw {@link BrokerException}; the invocation stays consumed (lost, never
     * gained).
     */
    @Override
    public Decision authorize(String agentId, GrantKind kind, String value) {
        Objects.requireNonNull(kind, "kind");
        db.ensureOpen();
        if (db.inWriteOnThisThread()) {
            throw new IllegalStateException("cannot authorize " + agentId + " from inside a broker listener");
        }
        Decision d = decisions.decide(agentId, kind, value, true);
        events.deliverDecision(agentId, kind, value, d);
        return d;
    }

    /**
     * As {@link #authorize} but consumes nothing and emits nothing. Considers the rate: a call
     * that {@code authorize} would refuse right now for its rate is refused here too. Takes no
     * lock at all (a listener may call it from inside a write).
     */
    @Override
    public Decision check(String agentId, GrantKind kind, String value) {
        Objects.requireNonNull(kind, "kind");
        db.ensureOpen();
        return decisions.decide(agentId, kind, value, false);
    }

    // ------------------------------------------------------------------ approvals

    /**
     * Records a call waiting for a person. The request survives a restart of agentd.
     *
     * @param argsSha256 SHA-256 of the call's arguments, 64 hex digits
     * @param preview    shown to the person deciding; truncated to 2000 characters
     */
    public ApprovalRequest requestApproval(String agentId, String tool, String argsSha256, String preview, Duration ttl) {
        return approvals.request(agentId, tool, argsSha256, preview, ttl);
    }

    /**
     * A person says yes. Only an admin may decide: an agent approving calls would defeat the point.
     *
     * @throws NoSuchElementException if there is no such request
     * @throws IllegalStateException  if it was already decided or has expired
     */
    public ApprovalRequest approve(String approvalId, Principal by) {
        return approvals.decide(approvalId, by, ApprovalState.APPROVED);
    }

    /** A person says no. As {@link #approve}. */
    public ApprovalRequest deny(String approvalId, Principal by) {
        return approvals.decide(approvalId, by, ApprovalState.DENIED);
    }

    /**
     * Waits until the request is decided, expires, or {@code timeout} passes, without polling: the
     * thread sleeps on a condition that {@link #approve}/{@link #deny} signal, waking on its own
     * only at the request's expiry or the timeout.
     *
     * <p>{@code timeout} is real time; expiry is by the broker's clock. A request that was approved
     * and then consumed still reads {@link ApprovalOutcome#APPROVED}.
     *
     * @throws NoSuchElementException if there is no such request
     * @throws InterruptedException   if the waiting thread is interrupted
     */
    public ApprovalOutcome await(String approvalId, Duration timeout) throws InterruptedException {
        return approvals.await(approvalId, timeout);
    }

    /**
     * Uses an approval for the one call it was given for. Returns false, and changes nothing, if
     * the request does not exist, is not approved, was used already, has expired, or was for
     * another agent, tool or arguments.
     */
    public boolean consumeApproval(String approvalId, String agentId, String tool, String argsSha256) {
        return approvals.consume(approvalId, agentId, tool, argsSha256);
    }

    /** Requests still waiting for a decision (not expired), oldest first. */
    public List<ApprovalRequest> pendingApprovals() {
        return approvals.pending();
    }

    /** One approval request as it stands now. */
    public Optional<ApprovalRequest> approval(String approvalId) {
        return approvals.get(approvalId);
    }

    // ------------------------------------------------------------------ for SecretVault and tests

    Database database() {
        return db;
    }

    Events events() {
        return events;
    }

    Connection connection() {
        return db.connection();
    }

    /**
     * Writes the counters' exact values, then closes the database connection; waiting
     * {@link #await} calls fail. Idempotent. A call racing the close either got its invocation
     * before its counter was sealed (and is in the exact value) or is refused.
     */
    @Override
    public void close() {
        if (!db.markClosed(approvals::wakeWaiters)) {
            return;
        }
        // Counter locks before the database lock, as authorize takes them (see Invocations). Once
        // closed, no counter can reserve more, so sealing each fixes what the write below must hold.
        Invocations.Sealed exact = invocations.sealAll(store.allGrants());
        db.lock().lock();
        try {
            invocations.writeExact(exact);
            db.closeConnection();
        } finally {
            db.lock().unlock();
        }
    }
}
