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
 *   <li>One JDBC connection, used only under {@link #lock}: SQLite serializes writers anyway, and a
 *       single lock makes "check then consume" atomic without relying on SQL tricks.</li>
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
    private boolean closed;

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
            return new Broker(dbFile, c, clock, listener);
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
            try (PreparedStatement p = db.prepareStatement("UPDATE broker_agents SET forgotten_at = ? WHERE id = ?")) {
                p.setString(1, now().toString());
                p.setString(2, agentId);
                p.executeUpdate();
            }
            emit(BrokerEvent.Type.AGENT_FORGOTTEN, agentId, details());
            return true;
        });
    }

    /** True if {@code agentId} was registered (even if since forgotten). */
    public boolean isRegistered(String agentId) {
        return read(() -> loadAgent(agentId).isPresent());
    }

    /**
     * On whose behalf the agent acts: the agent, its parent agents, and the admin who started the
     * top-level one.
     */
    public List<Principal> chain(String agentId) {
        return read(() -> {
            List<Principal> out = new ArrayList<>();
            AgentRow a = requireAgent(agentId);
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
                a = loadAgent(parentId).orElseThrow(() ->
                        new BrokerException("agent \"" + parentId + "\" missing from " + dbFile));
            }
        });
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
        return read(() -> {
            AgentRow a = requireAgent(agentId);
            Instant now = now();
            List<GrantStatus> out = new ArrayList<>();
            for (GrantRow g : loadGrants(agentId, null)) {
                out.add(status(a, g, now));
            }
            return List.copyOf(out);
        });
    }

    @Override
    public List<Grant> liveGrants(String agentId, GrantKind kind) {
        Objects.requireNonNull(kind, "kind");
        return read(() -> {
            Optional<AgentRow> a = loadAgent(agentId);
            if (a.isEmpty() || a.get().forgottenAt != null) {
                return List.of();
            }
            Instant now = now();
            List<GrantRow> rows = new ArrayList<>(loadGrants(agentId, kind));
            rows.sort(mostSpecificFirst(kind));
            List<Grant> out = new ArrayList<>();
            for (GrantRow g : rows) {
                GrantStatus s = status(a.get(), g, now);
                // A rate limit is momentary; the grant is still the agent's.
                if (s.isLive() || s.state() == GrantStatus.State.RATE_LIMITED) {
                    out.add(g.grant);
                }
            }
            return List.copyOf(out);
        });
    }

    @Override
    public Decision authorize(String agentId, GrantKind kind, String value) {
        Objects.requireNonNull(kind, "kind");
        return write("authorize " + agentId, () -> decide(agentId, kind, value, true));
    }

    /**
     * As {@link #authorize} but consumes nothing and emits nothing. Considers the rate: a call
     * that {@code authorize} would refuse right now for its rate is refused here too.
     */
    @Override
    public Decision check(String agentId, GrantKind kind, String value) {
        Objects.requireNonNull(kind, "kind");
        return read(() -> decide(agentId, kind, value, false));
    }

    /**
     * The decision procedure shared by authorize, check and the vault. Must run under the lock,
     * and inside a write transaction when {@code consume}.
     */
    Decision decide(String agentId, GrantKind kind, String rawValue, boolean consume) throws SQLException {
        Decision d = decideQuietly(agentId, kind, rawValue, consume);
        if (consume) {
            if (d instanceof Decision.Allowed allowed) {
                emit(BrokerEvent.Type.AUTHORIZED, agentId, details("grant", Long.toString(allowed.grant().id()),
                        "kind", kind.key(), "value", rawValue == null ? "" : Values.printable(rawValue)));
            } else {
                emit(BrokerEvent.Type.DENIED, agentId, details("kind", kind.key(),
                        "value", rawValue == null ? "" : Values.printable(rawValue),
                        "reason", ((Decision.Denied) d).reason()));
            }
        }
        return d;
    }

    private Decision decideQuietly(String agentId, GrantKind kind, String rawValue, boolean consume) throws SQLException {
        if (agentId == null) {
            return Decision.denied("no agent id");
        }
        Optional<AgentRow> agent = loadAgent(agentId);
        if (agent.isEmpty()) {
            return Decision.denied("unknown agent \"" + Values.printable(agentId) + "\"");
        }
        if (agent.get().forgottenAt != null) {
            return Decision.denied("agent \"" + agentId + "\" is gone (forgotten at " + agent.get().forgottenAt + ")");
        }
        String value;
        try {
            value = Values.normalize(kind, rawValue);
        } catch (IllegalArgumentException e) {
            return Decision.denied(e.getMessage());
        }
        List<GrantRow> candidates = new ArrayList<>();
        for (GrantRow g : loadGrants(agentId, kind)) {
            if (Values.covers(kind, g.grant.value(), value)) {
                candidates.add(g);
            }
        }
        if (candidates.isEmpty()) {
            return Decision.denied("no grant for " + kind.key() + " \"" + Values.printable(value) + "\"");
        }
        // Revoked ones last so the reason given is the most useful one; then most specific first.
        candidates.sort(Comparator.<GrantRow, Boolean>comparing(g -> g.grant.revoked()).thenComparing(mostSpecificFirst(kind)));
        Instant now = now();
        String firstReason = null;
        // Grants add up: if the most specific grant is used up, a broader one the agent also holds
        // still allows the call (the narrower one never restricted it).
        for (GrantRow c : candidates) {
            List<GrantRow> chain = loadChain(c);
            Problem problem = problem(chain, now, true);
            if (problem == null) {
                if (consume) {
                    consume(chain, now);
                }
                return Decision.allowed(c.grant);
            }
            if (firstReason == null) {
                firstReason = problem.reason;
            }
        }
        return Decision.denied(firstReason);
    }

    private void consume(List<GrantRow> chain, Instant now) throws SQLException {
        long nowNanos = epochNanos(now);
        try (PreparedStatement p = db.prepareStatement(
                "UPDATE broker_grants SET used = used + 1, rate_tat_nanos = ? WHERE id = ?")) {
            for (GrantRow g : chain) {
                if (g.grant.rate().isPresent()) {
                    p.setLong(1, Gcra.take(g.grant.rate().get(), g.tatNanos, nowNanos));
                } else {
                    p.setNull(1, Types.INTEGER);
                }
                p.setLong(2, g.grant.id());
                p.addBatch();
            }
            p.executeBatch();
        }
    }

    /** Why the chain cannot be used now, or null. Checked in order of what matters most to a reader. */
    private Problem problem(List<GrantRow> chain, Instant now, boolean withRate) {
        long first = chain.get(0).grant.id();
        for (GrantRow g : chain) {
            if (g.grant.revoked()) {
                return new Problem(GrantStatus.State.REVOKED, "grant " + g.grant.id() + " revoked at " + g.revokedAt
                        + " by " + g.revokedBy + inherited(g, first));
            }
        }
        for (GrantRow g : chain) {
            if (g.grant.expiresAt().isPresent() && !now.isBefore(g.grant.expiresAt().get())) {
                return new Problem(GrantStatus.State.EXPIRED, "grant " + g.grant.id() + " expired at "
                        + g.grant.expiresAt().get() + inherited(g, first));
            }
        }
        for (GrantRow g : chain) {
            if (g.grant.maxInvocations().isPresent() && g.used >= g.grant.maxInvocations().getAsLong()) {
                return new Problem(GrantStatus.State.EXHAUSTED, "grant " + g.grant.id() + " exhausted: " + g.used
                        + " of " + g.grant.maxInvocations().getAsLong() + " invocations used" + inherited(g, first));
            }
        }
        if (withRate) {
            long nowNanos = epochNanos(now);
            for (GrantRow g : chain) {
                if (g.grant.rate().isPresent()) {
                    long wait = Gcra.waitNanos(g.grant.rate().get(), g.tatNanos, nowNanos);
                    if (wait > 0) {
                        return new Problem(GrantStatus.State.RATE_LIMITED, "grant " + g.grant.id() + ": rate "
                                + g.grant.rate().get() + " exceeded (next call allowed in "
                                + humanDuration(wait) + ")" + inherited(g, first));
                    }
                }
            }
        }
        return null;
    }

    private static String inherited(GrantRow g, long first) {
        return g.grant.id() == first ? "" : " (grant " + first + " was narrowed from it)";
    }

    private GrantStatus status(AgentRow a, GrantRow g, Instant now) throws SQLException {
        List<GrantRow> chain = loadChain(g);
        OptionalLong remaining = OptionalLong.empty();
        Optional<Instant> expiry = Optional.empty();
        for (GrantRow c : chain) {
            if (c.grant.maxInvocations().isPresent()) {
                long left = Math.max(0, c.grant.maxInvocations().getAsLong() - c.used);
                remaining = OptionalLong.of(remaining.isPresent() ? Math.min(remaining.getAsLong(), left) : left);
            }
            if (c.grant.expiresAt().isPresent()) {
                Instant e = c.grant.expiresAt().get();
                expiry = Optional.of(expiry.isPresent() && expiry.get().isBefore(e) ? expiry.get() : e);
            }
        }
        Problem p = a.forgottenAt != null
                ? new Problem(GrantStatus.State.AGENT_GONE, "agent \"" + a.id + "\" is gone (forgotten at " + a.forgottenAt + ")")
                : problem(chain, now, true);
        return new GrantStatus(g.grant, g.used, remaining, expiry, p == null ? GrantStatus.State.LIVE : p.state,
                p == null ? Optional.empty() : Optional.of(p.reason));
    }

    /** Narrows {@code r} from one of the parent's grants, or explains why none can give it. */
    private Grant delegate(String childId, String parentId, GrantRequest r, Principal by, Instant now) throws SQLException {
        List<GrantRow> held = new ArrayList<>();
        for (GrantRow g : loadGrants(parentId, r.kind())) {
            if (Values.covers(r.kind(), g.grant.value(), r.value())) {
                held.add(g);
            }
        }
        if (held.isEmpty()) {
            throw new DelegationException(childId, parentId, r, "the parent holds no " + r.kind().key()
                    + " grant covering \"" + Values.printable(r.value()) + "\"");
        }
        held.sort(Comparator.<GrantRow, Boolean>comparing(g -> g.grant.revoked()).thenComparing(mostSpecificFirst(r.kind())));
        String firstReason = null;
        for (GrantRow pg : held) {
            String why = whyNotFrom(pg, loadChain(pg), r, now);
            if (why == null) {
                return insertGrant(childId, r, OptionalLong.of(pg.grant.id()), by, now);
            }
            if (firstReason == null) {
                firstReason = why;
            }
        }
        throw new DelegationException(childId, parentId, r, firstReason);
    }

    private String whyNotFrom(GrantRow pg, List<GrantRow> chain, GrantRequest r, Instant now) {
        String from = "parent " + pg.grant.describe();
        // The rate bucket's momentary state is not a reason to refuse a delegation; the child's
        // calls will be rate-limited on the shared chain anyway.
        Problem p = problem(chain, now, false);
        if (p != null) {
            return from + " is not live: " + p.reason;
        }
        for (GrantRow c : chain) {
            String whose = c == pg ? from : "ancestor " + c.grant.describe() + " of " + from;
            if (r.maxInvocations().isPresent() && c.grant.maxInvocations().isPresent()) {
                long left = c.grant.maxInvocations().getAsLong() - c.used;
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

    /** The agent's grants (of one kind, or all when {@code kind} is null), by id. */
    private List<GrantRow> loadGrants(String agentId, GrantKind kind) throws SQLException {
        String sql = "SELECT * FROM broker_grants WHERE agent_id = ?" + (kind == null ? "" : " AND kind = ?") + " ORDER BY id";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, agentId);
            if (kind != null) {
                p.setString(2, kind.key());
            }
            List<GrantRow> out = new ArrayList<>();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    out.add(grantFrom(rs));
                }
            }
            return out;
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

    /** The grant followed by the grants it was narrowed from, up to a root grant. */
    private List<GrantRow> loadChain(GrantRow g) throws SQLException {
        List<GrantRow> chain = new ArrayList<>();
        chain.add(g);
        GrantRow c = g;
        while (c.grant.parentGrantId().isPresent()) {
            long pid = c.grant.parentGrantId().getAsLong();
            if (chain.size() > MAX_CHAIN) {
                throw new BrokerException("grant chain of grant " + g.grant.id() + " is longer than " + MAX_CHAIN
                        + " (cycle?) in " + dbFile);
            }
            c = loadGrant(pid).orElseThrow(() -> new BrokerException("grant " + pid + " missing from " + dbFile));
            chain.add(c);
        }
        return chain;
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

    private static Comparator<GrantRow> mostSpecificFirst(GrantKind kind) {
        return Comparator.<GrantRow>comparingInt(g -> -Values.specificity(kind, g.grant.value()))
                .thenComparingLong(g -> g.grant.id());
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

    /** Closes the database connection; waiting {@link #await} calls fail. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            approvalsChanged.signalAll();
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
