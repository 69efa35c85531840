package dev.agentd.broker;

import java.sql.SQLException;
import java.time.Clock;
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
 * Agents and grants: their changes (rows written through {@link GrantRows}) and the in-memory
 * copy decisions read. Every agent and grant is loaded at open; every write changes the
 * copy right after its commit ({@link Database#onCommit}), never before, so a decision never sees
 * a change that could still roll back. Writes check against the rows (under the database lock);
 * delegation checks against the copy ({@link Delegation}).
 */
final class GrantStore {
    private final Database db;
    private final GrantRows rows;
    private final Events events;
    private final Clock clock;
    /** Every agent, forgotten ones too, as decisions see them; changed only after a commit. */
    private final Map<String, LiveAgent> agents = new ConcurrentHashMap<>();
    /** Every grant by id, revoked ones too. */
    private final Map<Long, LiveGrant> grants = new ConcurrentHashMap<>();

    GrantStore(Database db, GrantRows rows, Events events, Clock clock) {
        this.db = db;
        this.rows = rows;
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
            if (rows.agent(agentId).isPresent()) {
                throw new IllegalStateException("agent \"" + agentId + "\" is already registered");
            }
            Instant now = clock.instant();
            if (parentAgentId == null) {
                if (!onBehalfOf.isAdmin()) {
                    throw new IllegalArgumentException("top-level agent \"" + agentId
                            + "\" must be registered on behalf of an admin, not " + onBehalfOf);
                }
            } else {
                GrantRows.AgentRow parent = rows.agent(parentAgentId).orElseThrow(() -> new IllegalArgumentException(
                        "parent agent \"" + parentAgentId + "\" of \"" + agentId + "\" is not registered"));
                if (parent.forgottenAt() != null) {
                    throw new IllegalArgumentException("parent agent \"" + parentAgentId + "\" is gone (forgotten at "
                            + parent.forgottenAt() + ")");
                }
                if (!onBehalfOf.isAdmin() && !onBehalfOf.equals(Principal.agent(parentAgentId))) {
                    throw new IllegalArgumentException("child agent \"" + agentId + "\" of \"" + parentAgentId
                            + "\" must be registered on behalf of an admin or of its parent, not " + onBehalfOf);
                }
            }
            rows.insertAgent(agentId, parentAgentId, onBehalfOf, now);
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
            GrantRows.AgentRow a = rows.requireAgent(agentId);
            if (a.forgottenAt() != null) {
                return false;
            }
            String at = clock.instant().toString();
            rows.forgetAgent(agentId, at);
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
            GrantRows.AgentRow a = rows.requireAgent(agentId);
            if (a.forgottenAt() != null) {
                throw new IllegalArgumentException("agent \"" + agentId + "\" is gone (forgotten at " + a.forgottenAt() + ")");
            }
            if (by.isAdmin()) {
                return insertGrant(agentId, r, OptionalLong.empty(), by, clock.instant());
            }
            if (a.parentId() == null || !by.equals(Principal.agent(a.parentId()))) {
                throw new NotPermittedException(by, "grant \"" + r.describe() + "\" to agent \"" + agentId + "\"",
                        "only an admin or the agent's parent may");
            }
            return delegate(agentId, a.parentId(), r, by, clock.instant());
        });
    }

    /** See {@link Broker#revoke}. */
    Set<String> revoke(long grantId, Principal by) {
        Objects.requireNonNull(by, "by");
        return db.write("revoke grant " + grantId, () -> {
            GrantRows.GrantRow root = rows.grant(grantId).orElseThrow(() -> new NoSuchElementException("no grant " + grantId));
            if (!by.isAdmin() && !isSelfOrDescendant(root.grant().agentId(), by.id())) {
                throw new NotPermittedException(by, "revoke " + root.grant().describe() + " of agent \""
                        + root.grant().agentId() + "\"", "an agent may revoke only its own and its descendants' grants");
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
                    GrantRows.GrantRow g = rows.grant(id).orElseThrow();
                    if (!g.grant().revoked()) {
                        String at = now.toString();
                        rows.revokeGrant(id, at, by.toString());
                        db.onCommit(() -> grants.get(id).revoke(at, by.toString()));
                        affected.add(g.grant().agentId());
                        events.emit(BrokerEvent.Type.REVOKED, g.grant().agentId(), Events.details(
                                "grant", Long.toString(id), "kind", g.grant().kind().key(), "value", g.grant().value(),
                                "by", by.toString(), "cause", id == grantId ? "" : "derived from revoked grant " + grantId));
                    }
                    next.addAll(rows.childGrantIds(id));
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
        long id = rows.insertGrant(agentId, r, parentGrantId, by, now);
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
        Optional<GrantRows.AgentRow> a = rows.agent(agentId);
        while (a.isPresent() && seen.add(a.get().id())) {
            if (a.get().id().equals(ancestorId)) {
                return true;
            }
            a = a.get().parentId() == null ? Optional.empty() : rows.agent(a.get().parentId());
        }
        return false;
    }

    /**
     * Loads every agent and grant. Grants in id order, so a parent grant (always created before
     * the grants narrowed from it) is there before its children; one that is not fails the open.
     */
    void load() throws SQLException {
        rows.eachAgent(a -> agents.put(a.id(), new LiveAgent(a.id(), a.parentId(), a.onBehalfOf(), a.forgottenAt())));
        rows.eachGrant(row -> {
            Grant g = row.grant();
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
            LiveGrant live = new LiveGrant(g, parent, row.revokedAt(), row.revokedBy(),
                    new Counter(g.maxInvocations(), g.rate(), row.used(), row.tatNanos()));
            grants.put(g.id(), live);
            a.add(live);
        });
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
}
