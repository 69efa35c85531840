package dev.agentd.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;

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
 *   <li>One JDBC connection, used only under {@link #lock}: SQLite serializes writers anyway.</li>
 *   <li>Decisions ({@link #authorize}, {@link #check}, {@link #liveGrants}, {@link #grants},
 *       {@link #chain}) are made from memory: every agent and grant is loaded at open, and every
 *       write updates the in-memory copy right after its commit (never before: a decision never
 *       sees a change that could still roll back). A call takes no broker-wide lock: only the
 *       {@link Counter} locks of the grant chain it uses, root first, and the database lock inside
 *       them when a counter must reserve its next block (see {@link Counter} for the rule that
 *       keeps budgets across crashes). A write never takes a counter lock, so the two cannot
 *       deadlock.</li>
 * </ul>
 */
public final class Broker implements Authorizer, AutoCloseable {
    static final int SCHEMA_VERSION = 1;
    private static final int MAX_CHAIN = 1_000;
    private static final int MAX_PREVIEW = 2_000;
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    /** Unambiguous when read aloud or typed: no 0/o, 1/l/i. */
    private static final char[] ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz".toCharArray();
    private static final int APPROVAL_ID_LENGTH = 8;

    private final Path dbFile;
    private final Connection db;
    private final Clock clock;
    private final BrokerListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition approvalsChanged = lock.newCondition();
    private final SecureRandom random = new SecureRandom();
    /** Events of the write transaction in progress; delivered before its commit. Guarded by lock. */
    private final List<BrokerEvent> pending = new ArrayList<>();
    private final List<Runnable> afterCommit = new ArrayList<>();
    private boolean inWrite;
    private volatile boolean closed;
    /** Every agent, forgotten ones too, as decisions see them; changed only after a commit. */
    private final Map<String, LiveAgent> agents = new ConcurrentHashMap<>();
    /** Every grant by id, revoked ones too. */
    private final Map<Long, LiveGrant> liveGrants = new ConcurrentHashMap<>();

    private Broker(Path dbFile, Connection db, Clock clock, BrokerListener listener) {
        this.dbFile = dbFile;
        this.db = db;
        this.clock = clock;
        this.listener = listener;
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
        Connection c = null;
        try {
            Path parent = dbFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // NORMAL in WAL mode survives a crash of agentd (only power loss can lose the last
            // transactions), the same choice as agentd's own Store on this file.
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            // agentd writes its own tables on another connection: wait for its lock, don't fail.
            config.setBusyTimeout(5_000);
            // IMMEDIATE takes the write lock at BEGIN, so a read-then-write transaction cannot
            // deadlock with another connection upgrading at the same time.
            config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            config.enforceForeignKeys(true);
            c = config.createConnection("jdbc:sqlite:" + dbFile);
            Schema.create(c, dbFile);
            Broker b = new Broker(dbFile, c, clock, listener);
            b.loadMemory();
            return b;
        } catch (SQLException | java.io.IOException e) {
            closeQuietly(c);
            throw new BrokerException("cannot open broker database " + dbFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The database file this broker was opened on. */
    public Path dbFile() {
        return dbFile;
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
        checkAgentId(agentId);
        Objects.requireNonNull(onBehalfOf, "onBehalfOf");
        Objects.requireNonNull(grants, "grants");
        List<GrantRequest> normalized = grants.stream().map(Broker::normalized).toList();
        return write("register agent " + agentId, () -> {
            if (loadAgent(agentId).isPresent()) {
                throw new IllegalStateException("agent \"" + agentId + "\" is already registered");
            }
            Instant now = now();
            if (parentAgentId == null) {
                if (!onBehalfOf.isAdmin()) {
                    throw new IllegalArgumentException("top-level agent \"" + agentId
                            + "\" must be registered on behalf of an admin, not " + onBehalfOf);
                }
            } else {
                AgentRow parent = loadAgent(parentAgentId).orElseThrow(() -> new IllegalArgumentException(
                        "parent agent \"" + parentAgentId + "\" of \"" + agentId + "\" is not registered"));
                if (parent.forgottenAt != null) {
                    throw new IllegalArgumentException("parent agent \"" + parentAgentId + "\" is gone (forgotten at "
                            + parent.forgottenAt + ")");
                }
                if (!onBehalfOf.isAdmin() && !onBehalfOf.equals(Principal.agent(parentAgentId))) {
                    throw new IllegalArgumentException("child agent \"" + agentId + "\" of \"" + parentAgentId
                            + "\" must be registered on behalf of an admin or of its parent, not " + onBehalfOf);
                }
            }
            try (PreparedStatement p = db.prepareStatement("INSERT INTO broker_agents"
                    + " (id, parent_id, on_behalf_kind, on_behalf_id, registered_at) VALUES (?,?,?,?,?)")) {
                p.setString(1, agentId);
                p.setString(2, parentAgentId);
                p.setString(3, onBehalfOf.kind());
                p.setString(4, onBehalfOf.id());
                p.setString(5, now.toString());
                p.executeUpdate();
            }
            // Before the grants' own onCommit actions, which add them to this agent.
            onCommit(() -> agents.put(agentId, new LiveAgent(agentId, parentAgentId, onBehalfOf, null)));
            emit(BrokerEvent.Type.AGENT_REGISTERED, agentId, details(
                    "parent", parentAgentId == null ? "" : parentAgentId, "by", onBehalfOf.toString()));
            List<Grant> created = new ArrayList<>();
            for (GrantRequest r : normalized) {
                created.add(parentAgentId == null
                        ? insertGrant(agentId, r, OptionalLong.empty(), onBehalfOf, now)
                        : delegate(agentId, parentAgentId, r, onBehalfOf, now));
            }
            return List.copyOf(created);
        });
    }

    /**
     * Marks the agent gone: its own grants no longer allow anything, but every row stays for the
     * audit trail, and grants its children were narrowed from keep counting their calls.
     *
     * @return false if it was already forgotten
     */
    public boolean forgetAgent(String agentId) {
        return write("forget agent " + agentId, () -> {
            AgentRow a = requireAgent(agentId);
            if (a.forgottenAt != null) {
                return false;
            }
            String at = now().toString();
            try (PreparedStatement p = db.prepareStatement("UPDATE broker_agents SET forgotten_at = ? WHERE id = ?")) {
                p.setString(1, at);
                p.setString(2, agentId);
                p.executeUpdate();
            }
            onCommit(() -> agents.get(agentId).forgottenAt = at);
            emit(BrokerEvent.Type.AGENT_FORGOTTEN, agentId, details());
            return true;
        });
    }

    /** True if {@code agentId} was registered (even if since forgotten). */
    public boolean isRegistered(String agentId) {
        ensureOpen();
        return agentId != null && agents.containsKey(agentId);
    }

    /**
     * On whose behalf the agent acts: the agent, its parent agents, and the admin who started the
     * top-level one.
     */
    public List<Principal> chain(String agentId) {
        ensureOpen();
        List<Principal> out = new ArrayList<>();
        LiveAgent a = requireLiveAgent(agentId);
        Set<String> seen = new HashSet<>();
        while (true) {
            if (!seen.add(a.id)) {
                throw new BrokerException("agent parent cycle at \"" + a.id + "\" in " + dbFile);
            }
            out.add(Principal.agent(a.id));
            if (a.parentId == null) {
                out.add(a.onBehalfOf);
                return List.copyOf(out);
            }
            String parentId = a.parentId;
            a = agents.get(parentId);
            if (a == null) {
                throw new BrokerException("agent \"" + parentId + "\" missing from " + dbFile);
            }
        }
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
        Objects.requireNonNull(by, "by");
        GrantRequest r = normalized(Objects.requireNonNull(request, "request"));
        return write("grant to " + agentId, () -> {
            AgentRow a = requireAgent(agentId);
            if (a.forgottenAt != null) {
                throw new IllegalArgumentException("agent \"" + agentId + "\" is gone (forgotten at " + a.forgottenAt + ")");
            }
            if (by.isAdmin()) {
                return insertGrant(agentId, r, OptionalLong.empty(), by, now());
            }
            if (a.parentId == null || !by.equals(Principal.agent(a.parentId))) {
                throw new NotPermittedException(by, "grant \"" + r.describe() + "\" to agent \"" + agentId + "\"",
                        "only an admin or the agent's parent may");
            }
            return delegate(agentId, a.parentId, r, by, now());
        });
    }

    /**
     * Revokes a grant and every grant narrowed from it, in every descendant agent.
     *
     * @param by an admin, or an agent revoking a grant of its own or of one of its descendants
     * @return the agents that lost a grant (for {@code notifications/tools/list_changed}); empty if
     *         all were already revoked
     */
    public Set<String> revoke(long grantId, Principal by) {
        Objects.requireNonNull(by, "by");
        return write("revoke grant " + grantId, () -> {
            GrantRow root = loadGrant(grantId).orElseThrow(() -> new NoSuchElementException("no grant " + grantId));
            if (!by.isAdmin() && !isSelfOrDescendant(root.grant.agentId(), by.id())) {
                throw new NotPermittedException(by, "revoke " + root.grant.describe() + " of agent \""
                        + root.grant.agentId() + "\"", "an agent may revoke only its own and its descendants' grants");
            }
            Instant now = now();
            Set<String> affected = new LinkedHashSet<>();
            List<Long> frontier = List.of(grantId);
            Set<Long> seen = new HashSet<>();
            while (!frontier.isEmpty()) {
                List<Long> next = new ArrayList<>();
                for (long id : frontier) {
                    if (!seen.add(id)) {
                        continue;
                    }
                    GrantRow g = loadGrant(id).orElseThrow();
                    if (!g.grant.revoked()) {
                        try (PreparedStatement p = db.prepareStatement(
                                "UPDATE broker_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?")) {
                            p.setString(1, now.toString());
                            p.setString(2, by.toString());
                            p.setLong(3, id);
                            p.executeUpdate();
                        }
                        String at = now.toString();
                        onCommit(() -> liveGrants.get(id).revoke(at, by.toString()));
                        affected.add(g.grant.agentId());
                        emit(BrokerEvent.Type.REVOKED, g.grant.agentId(), details(
                                "grant", Long.toString(id), "kind", g.grant.kind().key(), "value", g.grant.value(),
                                "by", by.toString(), "cause", id == grantId ? "" : "derived from revoked grant " + grantId));
                    }
                    next.addAll(childGrantIds(id));
                }
                frontier = next;
            }
            return java.util.Collections.unmodifiableSet(affected);
        });
    }

    /** All the agent's grants, live and not, with their counters; ordered by id. */
    public List<GrantStatus> grants(String agentId) {
        ensureOpen();
        LiveAgent a = requireLiveAgent(agentId);
        Instant now = now();
        List<GrantStatus> out = new ArrayList<>();
        for (LiveGrant g : a.all()) {
            out.add(status(a, g, now));
        }
        return List.copyOf(out);
    }

    @Override
    public List<Grant> liveGrants(String agentId, GrantKind kind) {
        Objects.requireNonNull(kind, "kind");
        ensureOpen();
        LiveAgent a = agentId == null ? null : agents.get(agentId);
        if (a == null || a.forgottenAt != null) {
            return List.of();
        }
        Instant now = now();
        List<LiveGrant> rows = new ArrayList<>(a.ofKind(kind));
        rows.sort(MOST_SPECIFIC_FIRST);
        List<Grant> out = new ArrayList<>();
        for (LiveGrant g : rows) {
            GrantStatus s = status(a, g, now);
            // A rate limit is momentary; the grant is still the agent's.
            if (s.isLive() || s.state() == GrantStatus.State.RATE_LIMITED) {
                out.add(g.grant);
            }
        }
        return List.copyOf(out);
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
        ensureOpen();
        if (lock.isHeldByCurrentThread() && inWrite) {
            throw new IllegalStateException("cannot authorize " + agentId + " from inside a broker listener");
        }
        Decision d = decide(agentId, kind, value, true);
        BrokerEvent e = d instanceof Decision.Allowed allowed
                ? new BrokerEvent(BrokerEvent.Type.AUTHORIZED, now(), Optional.ofNullable(agentId), details(
                        "grant", Long.toString(allowed.grant().id()), "kind", kind.key(),
                        "value", value == null ? "" : Values.printable(value)))
                : new BrokerEvent(BrokerEvent.Type.DENIED, now(), Optional.ofNullable(agentId), details(
                        "kind", kind.key(), "value", value == null ? "" : Values.printable(value),
                        "reason", ((Decision.Denied) d).reason()));
        try {
            listener.onEvent(e);
        } catch (RuntimeException ex) {
            throw new BrokerException("broker listener refused " + e.type() + " event of agent " + agentId
                    + " (the invocation stays consumed): " + ex.getMessage(), ex);
        }
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
        ensureOpen();
        return decide(agentId, kind, value, false);
    }

    private Decision decide(String agentId, GrantKind kind, String rawValue, boolean consume) {
        if (agentId == null) {
            return Decision.denied("no agent id");
        }
        LiveAgent agent = agents.get(agentId);
        if (agent == null) {
            return Decision.denied("unknown agent \"" + Values.printable(agentId) + "\"");
        }
        String forgotten = agent.forgottenAt;
        if (forgotten != null) {
            return Decision.denied("agent \"" + agentId + "\" is gone (forgotten at " + forgotten + ")");
        }
        String value;
        try {
            value = Values.normalize(kind, rawValue);
        } catch (IllegalArgumentException e) {
            return Decision.denied(e.getMessage());
        }
        List<LiveGrant> candidates = new ArrayList<>(4);
        for (LiveGrant g : agent.ofKind(kind)) {
            if (Values.covers(kind, g.grant.value(), value)) {
                candidates.add(g);
            }
        }
        if (candidates.isEmpty()) {
            return Decision.denied("no grant for " + kind.key() + " \"" + Values.printable(value) + "\"");
        }
        // Revoked ones last so the reason given is the most useful one; then most specific first.
        if (candidates.size() > 1) {
            candidates.sort(Comparator.<LiveGrant, Boolean>comparing(g -> g.grant.revoked()).thenComparing(MOST_SPECIFIC_FIRST));
        }
        Instant now = now();
        String firstReason = null;
        // Grants add up: if the most specific grant is used up, a broader one the agent also holds
        // still allows the call (the narrower one never restricted it).
        for (LiveGrant c : candidates) {
            Problem problem = consume ? consume(c.chain, now) : problem(c.chain, now, true);
            if (problem == null) {
                return Decision.allowed(c.grant);
            }
            if (firstReason == null) {
                firstReason = problem.reason;
            }
        }
        return Decision.denied(firstReason);
    }

    /**
     * Checks and consumes under the chain's counter locks, root first (every chain through a grant
     * continues with the same ancestors, so two calls never wait for each other in a cycle).
     */
    private Problem consume(List<LiveGrant> chain, Instant now) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            chain.get(i).counter.lock.lock();
        }
        try {
            Problem p = problem(chain, now, true);
            if (p != null) {
                return p;
            }
            long nowNanos = epochNanos(now);
            List<LiveGrant> reserve = null;
            List<Counter.Persisted> values = null;
            for (LiveGrant g : chain) {
                Counter.Persisted r = g.counter.reservationFor(nowNanos);
                if (r != null) {
                    if (reserve == null) {
                        reserve = new ArrayList<>(chain.size());
                        values = new ArrayList<>(chain.size());
                    }
                    reserve.add(g);
                    values.add(r);
                }
            }
            if (reserve != null) {
                persist(reserve, values);
            }
            for (LiveGrant g : chain) {
                g.counter.take(nowNanos);
            }
            return null;
        } finally {
            for (LiveGrant g : chain) {
                g.counter.lock.unlock();
            }
        }
    }

    /**
     * Commits counters' next reservations (under the database lock, inside their counter locks),
     * then records them as persisted. Fails, consuming nothing, if the broker is closing.
     */
    private void persist(List<LiveGrant> grants, List<Counter.Persisted> values) {
        lock.lock();
        try {
            ensureOpen();
            boolean committed = false;
            try {
                db.setAutoCommit(false);
                try (PreparedStatement p = db.prepareStatement(
                        "UPDATE broker_grants SET used = ?, rate_tat_nanos = ? WHERE id = ?")) {
                    for (int i = 0; i < grants.size(); i++) {
                        bindCounter(p, values.get(i), grants.get(i).grant.id());
                        p.addBatch();
                    }
                    p.executeBatch();
                }
                db.commit();
                committed = true;
            } catch (SQLException e) {
                throw new BrokerException("reserving invocations of grant " + grants.get(0).grant.id() + " failed in "
                        + dbFile + ": " + e.getMessage(), e);
            } finally {
                endTransaction(committed);
            }
            for (int i = 0; i < grants.size(); i++) {
                grants.get(i).counter.persisted(values.get(i));
            }
        } finally {
            lock.unlock();
        }
    }

    private static void bindCounter(PreparedStatement p, Counter.Persisted v, long grantId) throws SQLException {
        p.setLong(1, v.used());
        if (v.tat() == null) {
            p.setNull(2, Types.INTEGER);
        } else {
            p.setLong(2, v.tat());
        }
        p.setLong(3, grantId);
    }

    private void endTransaction(boolean committed) {
        if (!committed) {
            try {
                db.rollback();
            } catch (SQLException ignored) {
                // The original exception says what went wrong; nothing is committed either way.
            }
        }
        try {
            db.setAutoCommit(true);
        } catch (SQLException ignored) {
            // Same connection; the next write sets it again.
        }
    }

    /**
     * Why the chain cannot be used now, or null. Checked in order of what matters most to a reader.
     * Reads the counters without their locks: exact under them ({@link #consume}), a moment's
     * snapshot otherwise.
     */
    private Problem problem(List<LiveGrant> chain, Instant now, boolean withRate) {
        long first = chain.get(0).grant.id();
        for (LiveGrant g : chain) {
            if (g.grant.revoked()) {
                return new Problem(GrantStatus.State.REVOKED, "grant " + g.grant.id() + " revoked at " + g.revokedAt
                        + " by " + g.revokedBy + inherited(g, first));
            }
        }
        for (LiveGrant g : chain) {
            if (g.grant.expiresAt().isPresent() && !now.isBefore(g.grant.expiresAt().get())) {
                return new Problem(GrantStatus.State.EXPIRED, "grant " + g.grant.id() + " expired at "
                        + g.grant.expiresAt().get() + inherited(g, first));
            }
        }
        for (LiveGrant g : chain) {
            if (g.counter.exhausted()) {
                return new Problem(GrantStatus.State.EXHAUSTED, "grant " + g.grant.id() + " exhausted: " + g.counter.used()
                        + " of " + g.grant.maxInvocations().getAsLong() + " invocations used" + inherited(g, first));
            }
        }
        if (withRate) {
            long nowNanos = epochNanos(now);
            for (LiveGrant g : chain) {
                long wait = g.counter.waitNanos(nowNanos);
                if (wait > 0) {
                    return new Problem(GrantStatus.State.RATE_LIMITED, "grant " + g.grant.id() + ": rate "
                            + g.grant.rate().get() + " exceeded (next call allowed in "
                            + humanDuration(wait) + ")" + inherited(g, first));
                }
            }
        }
        return null;
    }

    private static String inherited(LiveGrant g, long first) {
        return g.grant.id() == first ? "" : " (grant " + first + " was narrowed from it)";
    }

    private GrantStatus status(LiveAgent a, LiveGrant g, Instant now) {
        OptionalLong remaining = OptionalLong.empty();
        Optional<Instant> expiry = Optional.empty();
        for (LiveGrant c : g.chain) {
            if (c.grant.maxInvocations().isPresent()) {
                long left = Math.max(0, c.grant.maxInvocations().getAsLong() - c.counter.used());
                remaining = OptionalLong.of(remaining.isPresent() ? Math.min(remaining.getAsLong(), left) : left);
            }
            if (c.grant.expiresAt().isPresent()) {
                Instant e = c.grant.expiresAt().get();
                expiry = Optional.of(expiry.isPresent() && expiry.get().isBefore(e) ? expiry.get() : e);
            }
        }
        String forgotten = a.forgottenAt;
        Problem p = forgotten != null
                ? new Problem(GrantStatus.State.AGENT_GONE, "agent \"" + a.id + "\" is gone (forgotten at " + forgotten + ")")
                : problem(g.chain, now, true);
        return new GrantStatus(g.grant, g.counter.used(), remaining, expiry, p == null ? GrantStatus.State.LIVE : p.state,
                p == null ? Optional.empty() : Optional.of(p.reason));
    }

    /** Narrows {@code r} from one of the parent's grants, or explains why none can give it. */
    private Grant delegate(String childId, String parentId, GrantRequest r, Principal by, Instant now) throws SQLException {
        List<LiveGrant> held = new ArrayList<>();
        for (LiveGrant g : requireLiveAgent(parentId).ofKind(r.kind())) {
            if (Values.covers(r.kind(), g.grant.value(), r.value())) {
                held.add(g);
            }
        }
        if (held.isEmpty()) {
            throw new DelegationException(childId, parentId, r, "the parent holds no " + r.kind().key()
                    + " grant covering \"" + Values.printable(r.value()) + "\"");
        }
        held.sort(Comparator.<LiveGrant, Boolean>comparing(g -> g.grant.revoked()).thenComparing(MOST_SPECIFIC_FIRST));
        String firstReason = null;
        for (LiveGrant pg : held) {
            String why = whyNotFrom(pg, r, now);
            if (why == null) {
                return insertGrant(childId, r, OptionalLong.of(pg.grant.id()), by, now);
            }
            if (firstReason == null) {
                firstReason = why;
            }
        }
        throw new DelegationException(childId, parentId, r, firstReason);
    }

    private String whyNotFrom(LiveGrant pg, GrantRequest r, Instant now) {
        String from = "parent " + pg.grant.describe();
        // The rate bucket's momentary state is not a reason to refuse a delegation; the child's
        // calls will be rate-limited on the shared chain anyway.
        Problem p = problem(pg.chain, now, false);
        if (p != null) {
            return from + " is not live: " + p.reason;
        }
        for (LiveGrant c : pg.chain) {
            String whose = c == pg ? from : "ancestor " + c.grant.describe() + " of " + from;
            if (r.maxInvocations().isPresent() && c.grant.maxInvocations().isPresent()) {
                // A moment's count (a write takes no counter lock): the child's calls count on this
                // grant anyway, so a call racing the delegation cannot overspend it.
                long left = c.grant.maxInvocations().getAsLong() - c.counter.used();
                if (r.maxInvocations().getAsLong() > left) {
                    return "asks for " + r.maxInvocations().getAsLong() + " invocations but " + whose + " has only "
                            + left + " of " + c.grant.maxInvocations().getAsLong() + " left";
                }
            }
            if (r.expiresAt().isPresent() && c.grant.expiresAt().isPresent()
                    && r.expiresAt().get().isAfter(c.grant.expiresAt().get())) {
                return "expires at " + r.expiresAt().get() + ", after " + whose + " (expires at "
                        + c.grant.expiresAt().get() + ")";
            }
            if (r.rate().isPresent() && c.grant.rate().isPresent() && !r.rate().get().noLooserThan(c.grant.rate().get())) {
                return "rate " + r.rate().get() + " is looser than the rate " + c.grant.rate().get() + " of " + whose;
            }
        }
        return null;
    }

    private Grant insertGrant(String agentId, GrantRequest r, OptionalLong parentGrantId, Principal by, Instant now)
            throws SQLException {
        long id;
        try (PreparedStatement p = db.prepareStatement("INSERT INTO broker_grants (agent_id, kind, value,"
                + " max_invocations, rate_count, rate_per_nanos, expires_at, parent_grant_id, granted_by, created_at)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS)) {
            p.setString(1, agentId);
            p.setString(2, r.kind().key());
            p.setString(3, r.value());
            setLong(p, 4, r.maxInvocations());
            setLong(p, 5, r.rate().isPresent() ? OptionalLong.of(r.rate().get().count()) : OptionalLong.empty());
            setLong(p, 6, r.rate().isPresent() ? OptionalLong.of(r.rate().get().per().toNanos()) : OptionalLong.empty());
            p.setString(7, r.expiresAt().map(Instant::toString).orElse(null));
            setLong(p, 8, parentGrantId);
            p.setString(9, by.toString());
            p.setString(10, now.toString());
            p.executeUpdate();
            try (ResultSet keys = p.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
        }
        Grant g = new Grant(id, agentId, r.kind(), r.value(), r.maxInvocations(), r.rate(), r.expiresAt(),
                parentGrantId, false);
        LiveGrant parent = null;
        if (parentGrantId.isPresent()) {
            parent = liveGrants.get(parentGrantId.getAsLong());
            if (parent == null) {
                throw new BrokerException("grant " + parentGrantId.getAsLong() + " missing from memory of " + dbFile);
            }
        }
        LiveGrant parentGrant = parent;
        onCommit(() -> {
            LiveGrant live = new LiveGrant(g, parentGrant, null, null, new Counter(g.maxInvocations(), g.rate(), 0, null));
            liveGrants.put(id, live);
            agents.get(agentId).add(live);
        });
        Map<String, String> d = details("grant", Long.toString(id), "kind", r.kind().key(), "value", r.value(),
                "by", by.toString());
        r.maxInvocations().ifPresent(m -> d.put("maxInvocations", Long.toString(m)));
        r.rate().ifPresent(rate -> d.put("rate", rate.toString()));
        r.expiresAt().ifPresent(e -> d.put("expiresAt", e.toString()));
        parentGrantId.ifPresent(pid -> d.put("parentGrant", Long.toString(pid)));
        emit(parentGrantId.isPresent() ? BrokerEvent.Type.DELEGATED : BrokerEvent.Type.GRANTED, agentId, d);
        return g;
    }

    private boolean isSelfOrDescendant(String agentId, String ancestorId) throws SQLException {
        Set<String> seen = new HashSet<>();
        Optional<AgentRow> a = loadAgent(agentId);
        while (a.isPresent() && seen.add(a.get().id)) {
            if (a.get().id.equals(ancestorId)) {
                return true;
            }
            a = a.get().parentId == null ? Optional.empty() : loadAgent(a.get().parentId);
        }
        return false;
    }

    // ------------------------------------------------------------------ approvals

    /**
     * Records a call waiting for a person. The request survives a restart of agentd.
     *
     * @param argsSha256 SHA-256 of the call's arguments, 64 hex digits
     * @param preview    shown to the person deciding; truncated to 2000 characters
     */
    public ApprovalRequest requestApproval(String agentId, String tool, String argsSha256, String preview, Duration ttl) {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(preview, "preview");
        Objects.requireNonNull(ttl, "ttl");
        String hash = normalizeSha256(argsSha256);
        String toolName = Values.normalize(GrantKind.TOOL, tool);
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("approval ttl must be > 0, got " + ttl);
        }
        String shownPreview = preview.length() > MAX_PREVIEW ? preview.substring(0, MAX_PREVIEW) + "..." : preview;
        return write("request approval for " + agentId, () -> {
            AgentRow a = requireAgent(agentId);
            if (a.forgottenAt != null) {
                throw new IllegalArgumentException("agent \"" + agentId + "\" is gone (forgotten at " + a.forgottenAt + ")");
            }
            Instant now = now();
            ApprovalRequest req = null;
            // 31^8 ids: a collision is unlikely but cheap to retry, and an id must never be reused.
            for (int attempt = 0; req == null; attempt++) {
                String id = randomId();
                if (loadApprovalRow(id).isPresent()) {
                    if (attempt > 10) {
                        throw new BrokerException("cannot find a free approval id");
                    }
                    continue;
                }
                req = new ApprovalRequest(id, agentId, toolName, hash, shownPreview, now, now.plus(ttl), ApprovalState.PENDING);
            }
            try (PreparedStatement p = db.prepareStatement("INSERT INTO broker_approvals (id, agent_id, tool,"
                    + " args_sha256, preview, created_at, expires_at, state) VALUES (?,?,?,?,?,?,?,?)")) {
                p.setString(1, req.id());
                p.setString(2, agentId);
                p.setString(3, toolName);
                p.setString(4, hash);
                p.setString(5, shownPreview);
                p.setString(6, req.createdAt().toString());
                p.setString(7, req.expiresAt().toString());
                p.setString(8, ApprovalState.PENDING.name());
                p.executeUpdate();
            }
            emit(BrokerEvent.Type.APPROVAL_REQUESTED, agentId, details("approval", req.id(), "tool", toolName,
                    "argsSha256", hash, "expiresAt", req.expiresAt().toString()));
            return req;
        });
    }

    /**
     * A person says yes. Only an admin may decide: an agent approving calls would defeat the point.
     *
     * @throws NoSuchElementException if there is no such request
     * @throws IllegalStateException  if it was already decided or has expired
     */
    public ApprovalRequest approve(String approvalId, Principal by) {
        return decideApproval(approvalId, by, ApprovalState.APPROVED);
    }

    /** A person says no. As {@link #approve}. */
    public ApprovalRequest deny(String approvalId, Principal by) {
        return decideApproval(approvalId, by, ApprovalState.DENIED);
    }

    private ApprovalRequest decideApproval(String approvalId, Principal by, ApprovalState to) {
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(by, "by");
        String verb = to == ApprovalState.APPROVED ? "approve" : "deny";
        if (!by.isAdmin()) {
            throw new NotPermittedException(by, verb + " approval " + approvalId, "only an admin decides approvals");
        }
        return write(verb + " approval " + approvalId, () -> {
            Instant now = now();
            ApprovalRequest r = loadApproval(approvalId, now)
                    .orElseThrow(() -> new NoSuchElementException("no approval request \"" + approvalId + "\""));
            if (r.state() != ApprovalState.PENDING) {
                throw new IllegalStateException("approval " + approvalId + " is " + r.state().name().toLowerCase(Locale.ROOT)
                        + (r.state() == ApprovalState.EXPIRED ? " (at " + r.expiresAt() + ")" : "") + ", not pending");
            }
            try (PreparedStatement p = db.prepareStatement("UPDATE broker_approvals SET state = ?, decided_by = ?,"
                    + " decided_at = ? WHERE id = ? AND state = 'PENDING'")) {
                p.setString(1, to.name());
                p.setString(2, by.toString());
                p.setString(3, now.toString());
                p.setString(4, approvalId);
                p.executeUpdate();
            }
            emit(to == ApprovalState.APPROVED ? BrokerEvent.Type.APPROVED : BrokerEvent.Type.DENIED_APPROVAL, r.agentId(),
                    details("approval", approvalId, "tool", r.tool(), "argsSha256", r.argsSha256(), "by", by.toString()));
            afterCommit.add(approvalsChanged::signalAll);
            return new ApprovalRequest(r.id(), r.agentId(), r.tool(), r.argsSha256(), r.preview(), r.createdAt(),
                    r.expiresAt(), to);
        });
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
        Objects.requireNonNull(approvalId, "approvalId");
        Objects.requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, saturatedNanos(timeout));
        lock.lockInterruptibly();
        try {
            while (true) {
                ensureOpen();
                Instant now = now();
                ApprovalRequest r = sql("await approval " + approvalId, () -> loadApproval(approvalId, now))
                        .orElseThrow(() -> new NoSuchElementException("no approval request \"" + approvalId + "\""));
                switch (r.state()) {
                    case APPROVED, CONSUMED:
                        return ApprovalOutcome.APPROVED;
                    case DENIED:
                        return ApprovalOutcome.DENIED;
                    case EXPIRED:
                        return ApprovalOutcome.EXPIRED;
                    case PENDING:
                        break;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return ApprovalOutcome.TIMED_OUT;
                }
                // Wake at the expiry too (at least every 10 ms past it, for a clock that is not real time).
                long untilExpiry = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                        saturatedNanos(Duration.between(now, r.expiresAt())));
                approvalsChanged.awaitNanos(Math.min(left, untilExpiry));
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Uses an approval for the one call it was given for. Returns false, and changes nothing, if
     * the request does not exist, is not approved, was used already, has expired, or was for
     * another agent, tool or arguments.
     */
    public boolean consumeApproval(String approvalId, String agentId, String tool, String argsSha256) {
        if (approvalId == null || agentId == null || tool == null || argsSha256 == null) {
            return false;
        }
        String hash = argsSha256.toLowerCase(Locale.ROOT);
        return write("consume approval " + approvalId, () -> {
            Optional<ApprovalRequest> found = loadApproval(approvalId, now());
            if (found.isEmpty()) {
                return false;
            }
            ApprovalRequest r = found.get();
            if (r.state() != ApprovalState.APPROVED || !r.agentId().equals(agentId) || !r.tool().equals(tool)
                    || !r.argsSha256().equals(hash)) {
                return false;
            }
            int n;
            try (PreparedStatement p = db.prepareStatement("UPDATE broker_approvals SET state = 'CONSUMED',"
                    + " consumed_at = ? WHERE id = ? AND state = 'APPROVED'")) {
                p.setString(1, now().toString());
                p.setString(2, approvalId);
                n = p.executeUpdate();
            }
            if (n != 1) {
                return false;
            }
            emit(BrokerEvent.Type.APPROVAL_CONSUMED, agentId, details("approval", approvalId, "tool", tool,
                    "argsSha256", hash));
            return true;
        });
    }

    /** Requests still waiting for a decision (not expired), oldest first. */
    public List<ApprovalRequest> pendingApprovals() {
        return read(() -> {
            Instant now = now();
            List<ApprovalRequest> out = new ArrayList<>();
            try (PreparedStatement p = db.prepareStatement(
                    "SELECT * FROM broker_approvals WHERE state = 'PENDING' ORDER BY created_at, id");
                 ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    ApprovalRequest r = approvalFrom(rs, now);
                    if (r.state() == ApprovalState.PENDING) {
                        out.add(r);
                    }
                }
            }
            return List.copyOf(out);
        });
    }

    /** One approval request as it stands now. */
    public Optional<ApprovalRequest> approval(String approvalId) {
        return read(() -> loadApproval(approvalId, now()));
    }

    private Optional<ApprovalRequest> loadApproval(String id, Instant now) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM broker_approvals WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(approvalFrom(rs, now)) : Optional.empty();
            }
        }
    }

    private Optional<String> loadApprovalRow(String id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT id FROM broker_approvals WHERE id = ?")) {
            p.setString(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static ApprovalRequest approvalFrom(ResultSet rs, Instant now) throws SQLException {
        Instant expiresAt = Instant.parse(rs.getString("expires_at"));
        ApprovalState state = ApprovalState.valueOf(rs.getString("state"));
        // Expiry is derived, not stored: no background thread has to flip rows at the right moment.
        // An approval not used in time expires too: a person approved a call "now", not forever.
        if ((state == ApprovalState.PENDING || state == ApprovalState.APPROVED) && !now.isBefore(expiresAt)) {
            state = ApprovalState.EXPIRED;
        }
        return new ApprovalRequest(rs.getString("id"), rs.getString("agent_id"), rs.getString("tool"),
                rs.getString("args_sha256"), rs.getString("preview"), Instant.parse(rs.getString("created_at")),
                expiresAt, state);
    }

    private String randomId() {
        char[] c = new char[APPROVAL_ID_LENGTH];
        for (int i = 0; i < c.length; i++) {
            c[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return new String(c);
    }

    private static String normalizeSha256(String hex) {
        Objects.requireNonNull(hex, "argsSha256");
        String h = hex.toLowerCase(Locale.ROOT);
        if (!SHA256_HEX.matcher(h).matches()) {
            throw new IllegalArgumentException("argsSha256 \"" + Values.printable(hex)
                    + "\" is not a SHA-256 digest: expected 64 hex digits");
        }
        return h;
    }

    // ------------------------------------------------------------------ rows

    private record AgentRow(String id, String parentId, Principal onBehalfOf, String forgottenAt) {}

    /** A grant with its mutable state: invocations counted and the rate bucket's TAT (null = full). */
    private record GrantRow(Grant grant, long used, Long tatNanos, String revokedAt, String revokedBy) {}

    private record Problem(GrantStatus.State state, String reason) {}

    private Optional<AgentRow> loadAgent(String agentId) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM broker_agents WHERE id = ?")) {
            p.setString(1, agentId);
            try (ResultSet rs = p.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new AgentRow(rs.getString("id"), rs.getString("parent_id"),
                        new Principal(rs.getString("on_behalf_kind"), rs.getString("on_behalf_id")),
                        rs.getString("forgotten_at")));
            }
        }
    }

    private AgentRow requireAgent(String agentId) throws SQLException {
        Objects.requireNonNull(agentId, "agentId");
        return loadAgent(agentId).orElseThrow(() -> new NoSuchElementException("no agent \"" + agentId + "\""));
    }

    private Optional<GrantRow> loadGrant(long id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM broker_grants WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(grantFrom(rs)) : Optional.empty();
            }
        }
    }


    private List<Long> childGrantIds(long id) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT id FROM broker_grants WHERE parent_grant_id = ? ORDER BY id")) {
            p.setLong(1, id);
            List<Long> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        }
    }

    private static GrantRow grantFrom(ResultSet rs) throws SQLException {
        String kindKey = rs.getString("kind");
        GrantKind kind = GrantKind.fromKey(kindKey)
                .orElseThrow(() -> new BrokerException("unknown grant kind \"" + kindKey + "\" in broker_grants"));
        long rateCount = rs.getLong("rate_count");
        Optional<Rate> rate = rs.wasNull() ? Optional.empty()
                : Optional.of(new Rate(rateCount, Duration.ofNanos(rs.getLong("rate_per_nanos"))));
        String expires = rs.getString("expires_at");
        String revokedAt = rs.getString("revoked_at");
        Grant g = new Grant(rs.getLong("id"), rs.getString("agent_id"), kind, rs.getString("value"),
                optLong(rs, "max_invocations"), rate,
                expires == null ? Optional.empty() : Optional.of(Instant.parse(expires)),
                optLong(rs, "parent_grant_id"), revokedAt != null);
        OptionalLong tat = optLong(rs, "rate_tat_nanos");
        return new GrantRow(g, rs.getLong("used"), tat.isPresent() ? tat.getAsLong() : null, revokedAt,
                rs.getString("revoked_by"));
    }

    private static final Comparator<LiveGrant> MOST_SPECIFIC_FIRST = Comparator.<LiveGrant>comparingInt(g -> -g.specificity)
            .thenComparingLong(g -> g.grant.id());

    // ------------------------------------------------------------------ memory

    /**
     * An agent as decisions see it. Its fields change only after a commit, under the write lock;
     * its grant lists are replaced whole (copy on write), so a reader never needs a lock.
     */
    private static final class LiveAgent {
        final String id;
        final String parentId;
        final Principal onBehalfOf;
        volatile String forgottenAt;
        private volatile List<LiveGrant> all = List.of();
        private volatile Map<GrantKind, List<LiveGrant>> byKind = Map.of();

        LiveAgent(String id, String parentId, Principal onBehalfOf, String forgottenAt) {
            this.id = id;
            this.parentId = parentId;
            this.onBehalfOf = onBehalfOf;
            this.forgottenAt = forgottenAt;
        }

        /** Every grant of the agent, by id. */
        List<LiveGrant> all() {
            return all;
        }

        List<LiveGrant> ofKind(GrantKind kind) {
            return byKind.getOrDefault(kind, List.of());
        }

        void add(LiveGrant g) {
            List<LiveGrant> a = new ArrayList<>(all);
            a.add(g);
            Map<GrantKind, List<LiveGrant>> k = new java.util.EnumMap<>(GrantKind.class);
            for (LiveGrant x : a) {
                k.computeIfAbsent(x.grant.kind(), kk -> new ArrayList<>()).add(x);
            }
            all = List.copyOf(a);
            byKind = k;
        }
    }

    /** A grant as decisions see it: its terms, its revocation, its counter, and its chain. */
    private static final class LiveGrant {
        /** This grant, then the grants it was narrowed from, up to a root grant. */
        final List<LiveGrant> chain;
        final Counter counter;
        final int specificity;
        volatile Grant grant;
        volatile String revokedAt;
        volatile String revokedBy;

        LiveGrant(Grant grant, LiveGrant parent, String revokedAt, String revokedBy, Counter counter) {
            this.grant = grant;
            this.revokedAt = revokedAt;
            this.revokedBy = revokedBy;
            this.counter = counter;
            this.specificity = Values.specificity(grant.kind(), grant.value());
            List<LiveGrant> c = new ArrayList<>();
            c.add(this);
            if (parent != null) {
                c.addAll(parent.chain);
            }
            if (c.size() > MAX_CHAIN) {
                throw new BrokerException("grant chain of grant " + grant.id() + " is longer than " + MAX_CHAIN);
            }
            this.chain = List.copyOf(c);
        }

        void revoke(String at, String by) {
            // The reason first: a reader that sees the grant revoked reads who did it.
            revokedAt = at;
            revokedBy = by;
            Grant g = grant;
            grant = new Grant(g.id(), g.agentId(), g.kind(), g.value(), g.maxInvocations(), g.rate(), g.expiresAt(),
                    g.parentGrantId(), true);
        }
    }

    /**
     * Loads every agent and grant. Grants in id order, so a parent grant (always created before
     * the grants narrowed from it) is there before its children; one that is not fails the open.
     */
    private void loadMemory() throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM broker_agents");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString("id");
                agents.put(id, new LiveAgent(id, rs.getString("parent_id"),
                        new Principal(rs.getString("on_behalf_kind"), rs.getString("on_behalf_id")),
                        rs.getString("forgotten_at")));
            }
        }
        try (PreparedStatement p = db.prepareStatement("SELECT * FROM broker_grants ORDER BY id");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                GrantRow row = grantFrom(rs);
                Grant g = row.grant;
                LiveGrant parent = null;
                if (g.parentGrantId().isPresent()) {
                    parent = liveGrants.get(g.parentGrantId().getAsLong());
                    if (parent == null) {
                        throw new SQLException("grant " + g.parentGrantId().getAsLong() + ", parent of grant " + g.id()
                                + ", is missing (or not older than its child)");
                    }
                }
                LiveAgent a = agents.get(g.agentId());
                if (a == null) {
                    throw new SQLException("agent \"" + g.agentId() + "\" of grant " + g.id() + " is missing");
                }
                // After a crash the counters start from their reservations (see Counter).
                LiveGrant live = new LiveGrant(g, parent, row.revokedAt, row.revokedBy,
                        new Counter(g.maxInvocations(), g.rate(), row.used, row.tatNanos));
                liveGrants.put(g.id(), live);
                a.add(live);
            }
        }
    }

    private LiveAgent requireLiveAgent(String agentId) {
        Objects.requireNonNull(agentId, "agentId");
        LiveAgent a = agents.get(agentId);
        if (a == null) {
            throw new NoSuchElementException("no agent \"" + agentId + "\"");
        }
        return a;
    }

    private static GrantRequest normalized(GrantRequest r) {
        Objects.requireNonNull(r, "grant request");
        return new GrantRequest(r.kind(), Values.normalize(r.kind(), r.value()), r.maxInvocations(), r.rate(),
                r.expiresAt());
    }

    private static void checkAgentId(String agentId) {
        Objects.requireNonNull(agentId, "agentId");
        if (agentId.isEmpty() || agentId.length() > 256 || agentId.chars().anyMatch(c -> Character.isISOControl(c)
                || Character.isWhitespace(c))) {
            throw new IllegalArgumentException("agent id \"" + Values.printable(agentId)
                    + "\" must be 1..256 characters without whitespace or control characters");
        }
    }

    // ------------------------------------------------------------------ plumbing

    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one write transaction under the lock, delivers the events it emitted to
     * the listener, then commits. Any exception (the work's, the listener's, the commit's) rolls
     * everything back, so a caller never sees half a change or an unaudited one.
     */
    <T> T write(String what, SqlWork<T> work) {
        lock.lock();
        try {
            ensureOpen();
            if (inWrite) {
                // Only a listener can get here (the lock is reentrant): a change made while
                // auditing another would be delivered out of order.
                throw new IllegalStateException("cannot " + what + " from inside a broker listener");
            }
            inWrite = true;
            pending.clear();
            afterCommit.clear();
            boolean committed = false;
            try {
                db.setAutoCommit(false);
                T result = work.run();
                for (BrokerEvent e : List.copyOf(pending)) {
                    try {
                        listener.onEvent(e);
                    } catch (RuntimeException ex) {
                        throw new BrokerException("broker listener refused " + e.type() + " event, so \"" + what
                                + "\" was rolled back: " + ex.getMessage(), ex);
                    }
                }
                db.commit();
                committed = true;
                afterCommit.forEach(Runnable::run);
                return result;
            } catch (SQLException e) {
                throw new BrokerException(what + " failed in " + dbFile + ": " + e.getMessage(), e);
            } finally {
                if (!committed) {
                    try {
                        db.rollback();
                    } catch (SQLException ignored) {
                        // The original exception says what went wrong; a failed rollback of a
                        // connection we are not committing leaves nothing committed either.
                    }
                }
                try {
                    db.setAutoCommit(true);
                } catch (SQLException ignored) {
                    // Same connection; the next write sets it again.
                }
                inWrite = false;
                pending.clear();
                afterCommit.clear();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code work} under the lock without a transaction of its own (a single consistent read suffices). */
    <T> T read(SqlWork<T> work) {
        lock.lock();
        try {
            ensureOpen();
            return sql("read", work);
        } finally {
            lock.unlock();
        }
    }

    private <T> T sql(String what, SqlWork<T> work) {
        try {
            return work.run();
        } catch (SQLException e) {
            throw new BrokerException(what + " failed in " + dbFile + ": " + e.getMessage(), e);
        }
    }

    /** Queues an event of the current write transaction. */
    void emit(BrokerEvent.Type type, String agentId, Map<String, String> details) {
        if (!inWrite) {
            throw new IllegalStateException("event " + type + " outside a write transaction");
        }
        pending.add(new BrokerEvent(type, now(), Optional.ofNullable(agentId), details));
    }

    static Map<String, String> details(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Runs {@code r} after the current write transaction commits (not if it rolls back). */
    void onCommit(Runnable r) {
        if (!inWrite) {
            throw new IllegalStateException("onCommit outside a write transaction");
        }
        afterCommit.add(r);
    }

    Connection connection() {
        return db;
    }

    ReentrantLock lock() {
        return lock;
    }

    Instant now() {
        return clock.instant();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("broker on " + dbFile + " is closed");
        }
    }

    /**
     * Writes the counters' exact values, then closes the database connection; waiting
     * {@link #await} calls fail. Idempotent. A call racing the close either got its invocation
     * before its counter was sealed (and is in the exact value) or is refused.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            approvalsChanged.signalAll();
        } finally {
            lock.unlock();
        }
        // Counter locks before the database lock, as authorize takes them. Once closed, no counter
        // can reserve more, so sealing each fixes what the write below must hold.
        List<Long> ids = new ArrayList<>();
        List<Counter.Persisted> exact = new ArrayList<>();
        for (LiveGrant g : liveGrants.values()) {
            g.counter.lock.lock();
            try {
                Counter.Persisted e = g.counter.exact();
                if (e != null) {
                    ids.add(g.grant.id());
                    exact.add(e);
                }
                g.counter.sealed();
            } finally {
                g.counter.lock.unlock();
            }
        }
        lock.lock();
        try {
            if (!ids.isEmpty()) {
                boolean committed = false;
                try {
                    db.setAutoCommit(false);
                    try (PreparedStatement p = db.prepareStatement(
                            "UPDATE broker_grants SET used = ?, rate_tat_nanos = ? WHERE id = ?")) {
                        for (int i = 0; i < ids.size(); i++) {
                            bindCounter(p, exact.get(i), ids.get(i));
                            p.addBatch();
                        }
                        p.executeBatch();
                    }
                    db.commit();
                    committed = true;
                } catch (SQLException e) {
                    // Leniency with a reason: the reservations stay, and they are never below the
                    // exact counts, so a budget still holds; only unused invocations are lost.
                } finally {
                    endTransaction(committed);
                }
            }
            closeQuietly(db);
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // Closing: nothing left to protect.
            }
        }
    }

    private static void setLong(PreparedStatement p, int i, OptionalLong v) throws SQLException {
        if (v.isPresent()) {
            p.setLong(i, v.getAsLong());
        } else {
            p.setNull(i, Types.INTEGER);
        }
    }

    private static OptionalLong optLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(v);
    }

    static long epochNanos(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static String humanDuration(long nanos) {
        if (nanos < 1_000_000_000L) {
            return Math.max(1, nanos / 1_000_000) + "ms";
        }
        return Duration.ofNanos(nanos).withNanos(0).plusSeconds(1).toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
