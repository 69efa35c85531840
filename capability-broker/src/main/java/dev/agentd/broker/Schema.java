package dev.agentd.broker;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The broker's tables. All are prefixed {@code broker_} because they may live in agentd's own
 * database file. Times are ISO-8601 text (as in agentd's tables): exact, and readable with the
 * sqlite3 shell during an incident.
 */
final class Schema {
    private Schema() {}

    static void create(Connection c, Path file) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS broker_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
            try (ResultSet rs = s.executeQuery("SELECT value FROM broker_meta WHERE key = 'schema_version'")) {
                if (rs.next()) {
                    int v = Integer.parseInt(rs.getString(1));
                    if (v > Broker.SCHEMA_VERSION) {
                        // Fail closed: an older broker must not misread grants written by a newer one.
                        throw new SQLException("broker schema version " + v + " in " + file + " is newer than this"
                                + " broker's " + Broker.SCHEMA_VERSION + "; upgrade agentd");
                    }
                }
            }
            s.execute("INSERT OR IGNORE INTO broker_meta (key, value) VALUES ('schema_version', '" + Broker.SCHEMA_VERSION + "')");
            s.execute("CREATE TABLE IF NOT EXISTS broker_agents ("
                    + " id TEXT PRIMARY KEY,"
                    + " parent_id TEXT REFERENCES broker_agents(id),"
                    + " on_behalf_kind TEXT NOT NULL,"
                    + " on_behalf_id TEXT NOT NULL,"
                    + " registered_at TEXT NOT NULL,"
                    + " forgotten_at TEXT)");
            // AUTOINCREMENT so a grant id is never reused: ids are named in the audit log.
            s.execute("CREATE TABLE IF NOT EXISTS broker_grants ("
                    + " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                    + " agent_id TEXT NOT NULL REFERENCES broker_agents(id),"
                    + " kind TEXT NOT NULL,"
                    + " value TEXT NOT NULL,"
                    + " max_invocations INTEGER,"
                    + " rate_count INTEGER,"
                    + " rate_per_nanos INTEGER,"
                    + " expires_at TEXT,"
                    + " parent_grant_id INTEGER REFERENCES broker_grants(id),"
                    + " used INTEGER NOT NULL DEFAULT 0,"
                    + " rate_tat_nanos INTEGER,"
                    + " granted_by TEXT NOT NULL,"
                    + " created_at TEXT NOT NULL,"
                    + " revoked_at TEXT,"
                    + " revoked_by TEXT)");
            s.execute("CREATE INDEX IF NOT EXISTS broker_grants_agent ON broker_grants(agent_id, kind)");
            s.execute("CREATE INDEX IF NOT EXISTS broker_grants_parent ON broker_grants(parent_grant_id)");
            s.execute("CREATE TABLE IF NOT EXISTS broker_approvals ("
                    + " id TEXT PRIMARY KEY,"
                    + " agent_id TEXT NOT NULL REFERENCES broker_agents(id),"
                    + " tool TEXT NOT NULL,"
                    + " args_sha256 TEXT NOT NULL,"
                    + " preview TEXT NOT NULL,"
                    + " created_at TEXT NOT NULL,"
                    + " expires_at TEXT NOT NULL,"
                    + " state TEXT NOT NULL,"
                    + " decided_by TEXT,"
                    + " decided_at TEXT,"
                    + " consumed_at TEXT)");
            s.execute("CREATE INDEX IF NOT EXISTS broker_approvals_state ON broker_approvals(state)");
            s.execute("CREATE TABLE IF NOT EXISTS broker_secrets ("
                    + " name TEXT PRIMARY KEY,"
                    + " nonce BLOB NOT NULL,"
                    + " ciphertext BLOB NOT NULL,"
                    + " updated_at TEXT NOT NULL)");
        }
    }
}
