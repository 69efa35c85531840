package dev.agentd.broker;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The rows of {@code broker_agents} and {@code broker_grants}: every statement on them but the
 * counters' (those are {@link Invocations}'). Call under the database lock; inside
 * {@link Database#write} for the writes.
 */
final class GrantRows {
    /** A row of {@code broker_agents}. */
    record AgentRow(String id, String parentId, Principal onBehalfOf, String forgottenAt) {}

    /** A grant with its mutable state: invocations counted and the rate bucket's TAT (null = full). */
    record GrantRow(Grant grant, long used, Long tatNanos, String revokedAt, String revokedBy) {}

    @FunctionalInterface
    interface RowConsumer<T> {
        void accept(T row) throws SQLException;
    }

    private final Database db;

    GrantRows(Database db) {
        this.db = db;
    }

    /** Every agent, in no particular order. */
    void eachAgent(RowConsumer<AgentRow> out) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_agents");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.accept(agentFrom(rs));
            }
        }
    }

    /** Every grant in id order, so a parent grant (always created before its children) comes first. */
    void eachGrant(RowConsumer<GrantRow> out) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_grants ORDER BY id");
             ResultSet rs = p.executeQuery()) {
            while (rs.next()) {
                out.accept(grantFrom(rs));
            }
        }
    }

    Optional<AgentRow> agent(String agentId) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_agents WHERE id = ?")) {
            p.setString(1, agentId);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(agentFrom(rs)) : Optional.empty();
            }
        }
    }

    AgentRow requireAgent(String agentId) throws SQLException {
        Objects.requireNonNull(agentId, "agentId");
        return agent(agentId).orElseThrow(() -> new NoSuchElementException("no agent \"" + agentId + "\""));
    }

    Optional<GrantRow> grant(long id) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("SELECT * FROM broker_grants WHERE id = ?")) {
            p.setLong(1, id);
            try (ResultSet rs = p.executeQuery()) {
                return rs.next() ? Optional.of(grantFrom(rs)) : Optional.empty();
            }
        }
    }

    /** The ids of the grants narrowed directly from grant {@code id}, ascending. */
    List<Long> childGrantIds(long id) throws SQLException {
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

    void insertAgent(String agentId, String parentAgentId, Principal onBehalfOf, Instant now) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("INSERT INTO broker_agents"
                + " (id, parent_id, on_behalf_kind, on_behalf_id, registered_at) VALUES (?,?,?,?,?)")) {
            p.setString(1, agentId);
            p.setString(2, parentAgentId);
            p.setString(3, onBehalfOf.kind());
            p.setString(4, onBehalfOf.id());
            p.setString(5, now.toString());
            p.executeUpdate();
        }
    }

    void forgetAgent(String agentId, String at) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement("UPDATE broker_agents SET forgotten_at = ? WHERE id = ?")) {
            p.setString(1, at);
            p.setString(2, agentId);
            p.executeUpdate();
        }
    }

    /** Inserts a grant with nothing used yet; returns its id (never reused: AUTOINCREMENT). */
    long insertGrant(String agentId, GrantRequest r, OptionalLong parentGrantId, Principal by, Instant now)
            throws SQLException {
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
                return keys.getLong(1);
            }
        }
    }

    void revokeGrant(long id, String at, String by) throws SQLException {
        try (PreparedStatement p = db.connection().prepareStatement(
                "UPDATE broker_grants SET revoked_at = ?, revoked_by = ? WHERE id = ?")) {
            p.setString(1, at);
            p.setString(2, by);
            p.setLong(3, id);
            p.executeUpdate();
        }
    }

    private static AgentRow agentFrom(ResultSet rs) throws SQLException {
        return new AgentRow(rs.getString("id"), rs.getString("parent_id"),
                new Principal(rs.getString("on_behalf_kind"), rs.getString("on_behalf_id")),
                rs.getString("forgotten_at"));
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
