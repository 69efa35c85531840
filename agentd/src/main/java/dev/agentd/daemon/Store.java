package dev.agentd.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * agentd's persistent state in SQLite (WAL): agents, checkpoints, MCP pins,
 * LLM usage (the audit log, in the same file, is the audit module's). One
 * connection, serialised by this object's monitor; every write is its own
 * transaction, committed before the caller goes on, so a {@code kill -9} of
 * agentd loses nothing it acknowledged.
 */
final class Store implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Connection db;

    private Store(Connection db) {
        this.db = db;
    }

    static Store open(Path file) throws IOException {
        try {
            Files.createDirectories(file.getParent());
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                // NORMAL in WAL mode survives a process crash (only power loss can
                // lose the last transactions); the audit log's guarantee is about
                // agentd being killed.
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("PRAGMA busy_timeout=5000");
                s.execute("CREATE TABLE IF NOT EXISTS agents ("
                        + "id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, manifest TEXT NOT NULL,"
                        + " manifest_path TEXT, uid INTEGER NOT NULL, pid INTEGER, init_pid INTEGER, pid_start INTEGER,"
                        + " created_at TEXT NOT NULL, started_at TEXT, exited_at TEXT, exit_code INTEGER,"
                        + " exit_signal INTEGER, restarts INTEGER NOT NULL DEFAULT 0, requested_by INTEGER NOT NULL,"
                        + " dropped TEXT NOT NULL DEFAULT '[]', error TEXT, stop_requested INTEGER NOT NULL DEFAULT 0)");
                s.execute("CREATE TABLE IF NOT EXISTS mcp_pins (server TEXT NOT NULL, tool TEXT NOT NULL,"
                        + " sha256 TEXT NOT NULL, PRIMARY KEY (server, tool))");
                s.execute("CREATE TABLE IF NOT EXISTS mcp_quarantine (server TEXT PRIMARY KEY)");
                s.execute("CREATE TABLE IF NOT EXISTS checkpoints (id TEXT PRIMARY KEY, agent_id TEXT NOT NULL,"
                        + " agent_name TEXT NOT NULL, uid INTEGER NOT NULL, created_at TEXT NOT NULL, size_bytes INTEGER NOT NULL,"
                        + " kernel TEXT NOT NULL, criu_version TEXT NOT NULL, manifest TEXT NOT NULL, grants TEXT NOT NULL,"
                        + " approvals TEXT NOT NULL, parent_id TEXT, left_running INTEGER NOT NULL,"
                        + " tracked_memory INTEGER NOT NULL, agent_start INTEGER NOT NULL, dump_ms INTEGER NOT NULL,"
                        + " origin TEXT NOT NULL)");
                s.execute("CREATE TABLE IF NOT EXISTS llm_usage (agent_id TEXT NOT NULL, provider TEXT NOT NULL,"
                        + " tokens INTEGER NOT NULL, PRIMARY KEY (agent_id, provider))");
            }
            return new Store(c);
        } catch (SQLException e) {
            throw new IOException("cannot open state database " + file + ": " + e.getMessage(), e);
        }
    }

    synchronized void put(AgentRecord a) throws IOException {
        String sql = "INSERT OR REPLACE INTO agents (id, name, state, manifest, manifest_path, uid, pid, init_pid, pid_start,"
                + " created_at, started_at, exited_at, exit_code, exit_signal, restarts, requested_by, dropped, error,"
                + " stop_requested) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, a.id());
            p.setString(2, a.name());
            p.setString(3, a.state().name());
            p.setString(4, a.manifest());
            p.setString(5, a.manifestPath());
            p.setInt(6, a.uid());
            setInt(p, 7, a.pid());
            setInt(p, 8, a.initPid());
            if (a.pidStartTicks() == null) {
                p.setNull(9, Types.BIGINT);
            } else {
                p.setLong(9, a.pidStartTicks());
            }
            p.setString(10, a.createdAt().toString());
            p.setString(11, str(a.startedAt()));
            p.setString(12, str(a.exitedAt()));
            setInt(p, 13, a.exitCode());
            setInt(p, 14, a.exitSignal());
            p.setInt(15, a.restarts());
            p.setInt(16, a.requestedBy());
            p.setString(17, JSON.writeValueAsString(a.dropped()));
            p.setString(18, a.error());
            p.setInt(19, a.stopRequested() ? 1 : 0);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot record agent " + a.id() + ": " + e.getMessage(), e);
        }
    }

    synchronized void putCheckpoint(CheckpointRecord c) throws IOException {
        String sql = "INSERT INTO checkpoints (id, agent_id, agent_name, uid, created_at, size_bytes, kernel, criu_version,"
                + " manifest, grants, approvals, parent_id, left_running, tracked_memory, agent_start, dump_ms, origin)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, c.id());
            p.setString(2, c.agentId());
            p.setString(3, c.agentName());
            p.setInt(4, c.uid());
            p.setString(5, c.createdAt().toString());
            p.setLong(6, c.sizeBytes());
            p.setString(7, c.kernel());
            p.setString(8, c.criuVersion());
            p.setString(9, c.manifest());
            p.setString(10, c.grants());
            p.setString(11, c.approvals());
            p.setString(12, c.parentId());
            p.setInt(13, c.leftRunning() ? 1 : 0);
            p.setInt(14, c.trackedMemory() ? 1 : 0);
            p.setLong(15, c.agentStart());
            p.setLong(16, c.dumpMillis());
            p.setString(17, c.origin());
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot record checkpoint " + c.id() + ": " + e.getMessage(), e);
        }
    }

    /** Checkpoints, oldest first; of one agent (by id or name) when {@code agent} is not null. */
    synchronized List<CheckpointRecord> checkpoints(String agent) throws IOException {
        String sql = "SELECT * FROM checkpoints" + (agent == null ? "" : " WHERE agent_id = ? OR agent_name = ?")
                + " ORDER BY created_at, id";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            if (agent != null) {
                p.setString(1, agent);
                p.setString(2, agent);
            }
            List<CheckpointRecord> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new CheckpointRecord(r.getString("id"), r.getString("agent_id"), r.getString("agent_name"),
                            r.getInt("uid"), Instant.parse(r.getString("created_at")), r.getLong("size_bytes"),
                            r.getString("kernel"), r.getString("criu_version"), r.getString("manifest"),
                            r.getString("grants"), r.getString("approvals"), r.getString("parent_id"),
                            r.getInt("left_running") != 0, r.getInt("tracked_memory") != 0, r.getLong("agent_start"),
                            r.getLong("dump_ms"), r.getString("origin")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IOException("cannot read checkpoints: " + e.getMessage(), e);
        }
    }

    synchronized Optional<CheckpointRecord> checkpoint(String id) throws IOException {
        return checkpoints(null).stream().filter(c -> c.id().equals(id)).findFirst();
    }

    synchronized void deleteCheckpoint(String id) throws IOException {
        try (PreparedStatement p = db.prepareStatement("DELETE FROM checkpoints WHERE id = ?")) {
            p.setString(1, id);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot delete checkpoint " + id + ": " + e.getMessage(), e);
        }
    }

    synchronized Optional<AgentRecord> get(String id) throws IOException {
        List<AgentRecord> l = query("SELECT * FROM agents WHERE id = ?", id);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
    }

    synchronized List<AgentRecord> all() throws IOException {
        return query("SELECT * FROM agents ORDER BY created_at, id");
    }

    synchronized List<AgentRecord> byName(String name) throws IOException {
        return query("SELECT * FROM agents WHERE name = ? ORDER BY created_at DESC", name);
    }

    /** Uids of agents that are not in a final state: they are taken. */
    synchronized Set<Integer> uidsInUse() throws IOException {
        // The uids only: decoding every running agent's whole record (manifest
        // included) made each spawn slower the more agents ran (measured:
        // 0.6 ms with none, 14 ms with 1,000).
        Set<Integer> s = new HashSet<>();
        try (Statement st = db.createStatement();
             ResultSet r = st.executeQuery("SELECT uid FROM agents WHERE state NOT IN ('EXITED', 'FAILED')")) {
            while (r.next()) {
                s.add(r.getInt(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IOException("read the uids in use: " + e.getMessage(), e);
        }
        return s;
    }

    synchronized void addLlmUsage(String agentId, String provider, long tokens) throws IOException {
        try (PreparedStatement p = db.prepareStatement("INSERT INTO llm_usage (agent_id, provider, tokens) VALUES (?,?,?)"
                + " ON CONFLICT(agent_id, provider) DO UPDATE SET tokens = tokens + excluded.tokens")) {
            p.setString(1, agentId);
            p.setString(2, provider);
            p.setLong(3, tokens);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot record LLM usage: " + e.getMessage(), e);
        }
    }

    synchronized Optional<String> mcpPin(String server, String tool) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT sha256 FROM mcp_pins WHERE server = ? AND tool = ?")) {
            p.setString(1, server);
            p.setString(2, tool);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IOException("cannot read MCP pins: " + e.getMessage(), e);
        }
    }

    synchronized void setMcpPin(String server, String tool, String sha256) throws IOException {
        try (PreparedStatement p = db.prepareStatement("INSERT OR REPLACE INTO mcp_pins (server, tool, sha256) VALUES (?,?,?)")) {
            p.setString(1, server);
            p.setString(2, tool);
            p.setString(3, sha256);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot pin MCP tool: " + e.getMessage(), e);
        }
    }

    synchronized boolean mcpQuarantined(String server) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT 1 FROM mcp_quarantine WHERE server = ?")) {
            p.setString(1, server);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IOException("cannot read MCP quarantine: " + e.getMessage(), e);
        }
    }

    synchronized void setMcpQuarantined(String server, boolean quarantined) throws IOException {
        String sql = quarantined ? "INSERT OR IGNORE INTO mcp_quarantine (server) VALUES (?)" : "DELETE FROM mcp_quarantine WHERE server = ?";
        try (PreparedStatement p = db.prepareStatement(sql)) {
            p.setString(1, server);
            p.executeUpdate();
        } catch (SQLException e) {
            throw new IOException("cannot update MCP quarantine: " + e.getMessage(), e);
        }
    }

    /** Tokens an agent has used, over all providers. */
    synchronized long llmUsage(String agentId) throws IOException {
        try (PreparedStatement p = db.prepareStatement("SELECT COALESCE(SUM(tokens), 0) FROM llm_usage WHERE agent_id = ?")) {
            p.setString(1, agentId);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getLong(1) : 0;
            }
        } catch (SQLException e) {
            throw new IOException("cannot read LLM usage: " + e.getMessage(), e);
        }
    }

    private List<AgentRecord> query(String sql, String... args) throws IOException {
        try (PreparedStatement p = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setString(i + 1, args[i]);
            }
            List<AgentRecord> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(new AgentRecord(r.getString("id"), r.getString("name"),
                            AgentRecord.State.valueOf(r.getString("state")), r.getString("manifest"),
                            r.getString("manifest_path"), r.getInt("uid"), getInt(r, "pid"), getInt(r, "init_pid"),
                            getLong(r, "pid_start"), Instant.parse(r.getString("created_at")),
                            instant(r.getString("started_at")), instant(r.getString("exited_at")),
                            getInt(r, "exit_code"), getInt(r, "exit_signal"), r.getInt("restarts"),
                            r.getInt("requested_by"), JSON.readValue(r.getString("dropped"), new TypeReference<List<String>>() {}),
                            r.getString("error"), r.getInt("stop_requested") != 0));
                }
            }
            return out;
        } catch (SQLException | JsonProcessingException e) {
            throw new IOException("cannot read agents: " + e.getMessage(), e);
        }
    }

    private static void setInt(PreparedStatement p, int i, Integer v) throws SQLException {
        if (v == null) {
            p.setNull(i, Types.INTEGER);
        } else {
            p.setInt(i, v);
        }
    }

    private static Integer getInt(ResultSet r, String col) throws SQLException {
        int v = r.getInt(col);
        return r.wasNull() ? null : v;
    }

    private static Long getLong(ResultSet r, String col) throws SQLException {
        long v = r.getLong(col);
        return r.wasNull() ? null : v;
    }

    private static String str(Instant i) {
        return i == null ? null : i.toString();
    }

    private static Instant instant(String s) {
        return s == null ? null : Instant.parse(s);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            // closing at shutdown: nothing to do
        }
    }
}
