package dev.agentd.broker;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Agents and grants: their rows in {@code broker_agents} and {@code broker_grants}, and the
 * in-memory copy decisions read. Every agent and grant is loaded at open; every write changes the
 * copy right after its commit ({@link Database#onCommit}), never before, so a decision never sees
 * a change that could still roll back. Writes check against the rows (under the database lock);
 * delegation checks against the copy ({@link Delegation}).
 */
final class GrantStore {
    /** A row of {@code broker_agents}. */
    record AgentRow(String id, String parentId, Principal onBehalfOf, String forgottenAt) {}

    /** A grant with its mutable state: invocations counted and the rate bucket's TAT (null = full). */
    private record GrantRow(Grant grant, long used, Long tatNanos, String revokedAt, String revokedBy) {}

    private final Database db;
    private final Events events;
    private final Clock clock;
    /** Every agent, forgotten ones too, as decisions see them; changed only after a commit. */
    private final Map<String, LiveAgent> agents = new ConcurrentHashMap<>();
    /** Every grant by id, revoked ones too. */
    private final Map<Long, LiveGrant> grants = new ConcurrentHashMap<>();

    GrantStore(Database db, Events events, Clock clock) {
        this.db = db;
        this.events = events;
        this.clock = clock;
    }

    /** The agent as decisions see it, or null. */
    LiveAgent agent(String agentId) {
        return agents.get(agentId);
    }

    LiveAgent requireLiveAgent(String agentId) {
        Objects.requireNonNull(agentId, "agentId");
        LiveAgent a = agents.get(agentId);
        if (a == null) {
            throw new NoSuchElementException("no agent \"" + agentId + "\"");
        }
        return a;
    }

    /** Every grant, revoked ones too. */
    Collection<LiveGrant> allGrants() {
        return grants.values();
    }

    /** See {@link Broker#registerAgent}. */
    List<Grant> registerAgent(String agentId, String parentAgentId, Principal onBehalfOf, List<GrantRequest> requests) {
        checkAgentId(agentId);
        Objects.requireNonNull(onBehalfOf, "onBehalfOf");
        Objects.requireNonNull(requests, "grants");
        List<GrantRequest> normalized = requests.stream().map(GrantStore::normalized).toList();
        return db.write("register agent " + agentId, () -> {
            if (loadAgent(agentId).isPresent()) {
                throw new IllegalStateException("agent \"" + agentId + "\" is already registered");
            }
            Instant now = clock.instant();
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
            try (PreparedStatement p = db.connection().prepareStatement("INSERT INTO broker_agents"
                    + " (id, parent_id, on_behalf_kind, on_behalf_id, registered_at) VALUES (?,?,?,?,?)")) {
                p.setString(1, agentId);
                p.setString(2, parentAgentId);
                p.setString(3, onBehalfOf.kind());
                p.setString(4, onBehalfOf.id());
                p.setString(5, now.toString());
                p.executeUpdate();
            }
            // Before the grants' own onCommit actions, which add them to this agent.
            db.onCommit(() -> agents.put(agentId, new LiveAgent(agentId, parentAgentId, onBehalfOf, null)));
            events.emit(BrokerEvent.Type.AGENT_REGISTERED, agentId, Events.details(
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

    /** See {@link Broker#forgetAgent}. */
    boolean forgetAgent(String agentId) {
        return db.write("forget agent " + agentId, () -> {
            AgentRow a = requireAgent(agentId);
            if (a.forgottenAt != null) {
                return false;
            }
            String at = clock.instant().toString();
            try (PreparedStatement p = db.connection().prepareStatement(
                    "UPDATE broker_agents SET forgotten_at = ? WHERE id = ?")) {
                p.setString(1, at);
                p.setString(2, agentId);
                p.executeUpdate();
            }
            db.onCommit(() -> agents.get(agentId).forgottenAt = at);
            events.emit(BrokerEvent.Type.AGENT_FORGOTTEN, agentId, Events.details());
            return true;
        });
    }

    /** See {@link Broker#chain}. */
    List<Principal> chain(String agentId) {
        List<Principal> out = new ArrayList<>();
        LiveAgent a = requireLiveAgent(agentId);
        Set<String> seen = new HashSet<>();
        while (true) {
            if (!seen.add(a.id)) {
                throw new BrokerException("agent parent cycle at \"" + a.id + "\" in " + db.file());
            }
            out.add(Principal.agent(a.id));
            if (a.parentId == null) {
                out.add(a.onBehalfOf);
                return List.copyOf(out);
            }
            String parentId = a.parentId;
            a = agents.get(parentId);
            if (a == null) {
                throw new BrokerException("agent \"" + parentId + "\" missing from " + db.file());
            }
        }
    }

    /** See {@link Broker#grant}. */
    Grant grant(String agentId, GrantRequest request, Principal by) {
        Objects.requireNonNull(by, "by");
        GrantRequest r = normalized(Objects.requireNonNull(request, "request"));
        return db.write("grant to " + agentId, () -> {
            AgentRow a = requireAgent(agentId);
            if (a.forgottenAt != null) {
                throw new IllegalArgumentException("agent \"" + agentId + "\" is gone (forgotten at " + a.forgottenAt + ")");
            }
            if (by.isAdmin()) {
                return insertGrant(agentId, r, OptionalLong.empty(), by, clock.instant());
            }
            if (a.parentId == null || !by.equals(Principal.agent(a.parentId))) {
                throw new NotPermittedException(by, "grant \"" + r.describe() + "\" to agent \"" + agentId + "\"",
                        "only an admin or the agent's parent may");
            }
            return delegate(agentId, a.parentId, r, by, clock.instant());
        });
    }

    /** See {@link Broker#revoke}. */
    Set<String> revoke(long grantId, Principal by) {
        Objects.requireNonNull(by, "by");
        return db.write("revoke grant " + grantId, () -> {
            GrantRow root = loadGrant(grantId).orElseThrow(() -> new NoSuchElementException("no grant " + grantId));
            if (!by.isAdmin() && !isSelfOrDescendant(root.grant.agentId(), by.id())) {
                throw new NotPermittedException(by, "revoke " + root.grant.describe() + " of agent \""
                        + root.grant.agentId() + "\"", "an agent may revoke only its own and its descendants' grants");
            }
            Instant now = clock.instant();
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
                        try (PreparedStatement p = db.connection().prepareStatement(
                                "UPDATE broker_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?")) {
                            p.setString(1, now.toString());
                            p.setString(2, by.toString());
                            p.setLong(3, id);
                            p.executeUpdate();
                        }
                        String at = now.toString();
                        db.onCommit(() -> grants.get(id).revoke(at, by.toString()));
                        affected.add(g.grant.agentId());
                        events.emit(BrokerEvent.Type.REVOKED, g.grant.agentId(), Events.details(
                                "grant", Long.toString(id), "kind", g.grant.kind().key(), "value", g.grant.value(),
                                "by", by.toString(), "cause", id == grantId ? "" : "derived from revoked grant " + grantId));
                    }
                    next.addAll(childGrantIds(id));
                }
                frontier = next;
            }
            return Collections.unmodifiableSet(affected);
        });
    }

    /** Narrows {@code r} from one of the parent's grants, or explains why none can give it. */
    private Grant delegate(String childId, String parentId, GrantRequest r, Principal by, Instant now) throws SQLException {
        LiveGrant from = Delegation.parentGrant(childId, requireLiveAgent(parentId), r, now);
        return insertGrant(childId, r, OptionalLong.of(from.grant.id()), by, now);
    }

    private Grant insertGrant(String agentId, GrantRequest r, OptionalLong parentGrantId, Principal by, Instant now)
            throws SQLException {
        long id;
        try (PreparedStatement p = db.connection().prepareStatement("INSERT INTO broker_grants (agent_id, kind, value,"
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
            parent = grants.get(parentGrantId.getAsLong());
            if (parent == null) {
                throw new BrokerException("grant " + parentGrantId.getAsLong() + " missing from memory of " + db.file());
            }
        }
        LiveGrant parentGrant = parent;
        db.onCommit(() -> {
            LiveGrant live = new LiveGrant(g, parentGrant, null, null, new Counter(g.maxInvocations(), g.rate(), 0, null));
            grants.put(id, live);
            agents.get(agentId).add(live);
        });
        Map<String, String> d = Events.details("grant", Long.toString(id), "kind", r.kind().key(), "value", r.value(),
                "by", by.toString());
        r.maxInvocations().ifPresent(m -> d.put("maxInvocations", Long.toString(m)));
        r.rate().ifPresent(rate -> d.put("rate", rate.toString()));
        r.expiresAt().ifPresent(e -> d.put("expiresAt", e.toString()));
        parentGrantId.ifPresent(pid -> d.put("parentGrant", Long.toString(pid)));
        events.emit(parentGrantId.isPresent() ? BrokerEvent.Type.DELEGATED : BrokerEvent.Type.GRANTED, agentId, d);
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

    // ------------------------------------------------------------------ rows

    /**
     * Loads every agent and grant. Grants in id order, so a parent grant (always created before
     * the grants narrowed from it) is there before its children; one that is not fails the open.
     */
    void load() throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_agents");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString("id");
                agents.put(id, new LiveAgent(id, rs.getString("parent_id"),
                        new Principal(rs.getString("on_behalf_kind"), rs.getString("on_behalf_id")),
                        rs.getString("forgotten_at")));
            }
        }
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_grants ORDER BY id");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                GrantRow row = grantFrom(rs);
                Grant g = row.grant;
                LiveGrant parent = null;
                if (g.parentGrantId().isPresent()) {
                    parent = grants.get(g.parentGrantId().getAsLong());
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
                grants.put(g.id(), live);
                a.add(live);
            }
        }
    }

    private Optional<AgentRow> loadAgent(String agentId) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_agents WHERE id = ?")) {
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

    /** The agent's row, as a write checks it (under the database lock). */
    AgentRow requireAgent(String agentId) throws SQLException {
        Objects.requireNonNull(agentId, "agentId");
        return loadAgent(agentId).orElseThrow(() -> new NoSuchElementException("no agent \"" + agentId + "\""));
    }

    private Optional<GrantRow> loadGrant(long id) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_grants WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(grantFrom(rs)) : Optional.empty();
            }
        }
    }

    private List<Long> childGrantIds(long id) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement(
                "SELECT id FROM broker_grants WHERE parent_grant_id = ? ORDER BY id")) {
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
}
