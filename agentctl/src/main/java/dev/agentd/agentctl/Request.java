package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The closed set of admin API requests ({@code docs/admin-api.md}), one record
 * per method.
 *
 * <p>Sealed so that the wire names and parameter spellings live in exactly
 * one place and a new method cannot be sent without a record here. Optional
 * parameters are {@code null} and left off the wire, so agentd's own default
 * applies.
 */
public sealed interface Request {

    /** The JSON-RPC method name. */
    String method();

    /** The {@code params} object, in a stable order; absent optional values are omitted. */
    Map<String, Object> params();

    /**
     * {@code agent.spawn}. Sends both the manifest text and the absolute path
     * it was read from: the text because agentd may not be able to read the
     * caller's files, the path so that errors name the file and relative
     * paths in the manifest resolve against it.
     *
     * @param manifest the manifest's YAML text
     * @param path     absolute path of the manifest file, or {@code null}
     */
    record Spawn(String manifest, String path) implements Request {
        public Spawn {
            Objects.requireNonNull(manifest, "manifest");
        }

        @Override
        public String method() {
            return "agent.spawn";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("manifest", manifest, "path", path);
        }
    }

    /** {@code agent.list}; {@code all} includes exited agents. */
    record ListAgents(boolean all) implements Request {
        @Override
        public String method() {
            return "agent.list";
        }

        @Override
        public Map<String, Object> params() {
            // Sent only when set: the documented default is {}.
            return all ? ordered("all", true) : ordered();
        }
    }

    /** {@code agent.status} of an id or unique name. */
    record Status(String id) implements Request {
        public Status {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "agent.status";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id);
        }
    }

    /** {@code agent.stop}: SIGTERM, then SIGKILL after {@code graceSeconds}. */
    record Stop(String id, Integer graceSeconds) implements Request {
        public Stop {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "agent.stop";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "grace_seconds", graceSeconds);
        }
    }

    /** {@code agent.kill}: send signal number {@code signal}. */
    record Kill(String id, int signal) implements Request {
        public Kill {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "agent.kill";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "signal", signal);
        }
    }

    /** {@code agent.wait}; {@code timeoutSeconds} 0 waits forever. */
    record Wait(String id, long timeoutSeconds) implements Request {
        public Wait {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "agent.wait";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "timeout_seconds", timeoutSeconds);
        }
    }

    /**
     * {@code agent.logs}. With {@code follow}, agentd streams
     * {@code agent.log} notifications until the agent exits.
     *
     * @param tail last lines to send, or {@code null} for agentd's default
     */
    record Logs(String id, Integer tail, boolean follow) implements Request {
        public Logs {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "agent.logs";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "tail", tail, "follow", follow);
        }
    }

    /** {@code daemon.status}. */
    record DaemonStatus() implements Request {
        @Override
        public String method() {
            return "daemon.status";
        }

        @Override
        public Map<String, Object> params() {
            return ordered();
        }
    }

    /**
     * {@code audit.list}. With {@code follow}, every record (past and new)
     * comes as an {@code audit.record} notification until the client hangs up.
     *
     * @param agent an agent id or name, or {@code null} for every agent
     * @param since an ISO-8601 instant, or {@code null} for the whole log
     */
    record AuditList(String agent, String since, boolean follow) implements Request {
        @Override
        public String method() {
            return "audit.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("agent", agent, "since", since, "follow", follow ? Boolean.TRUE : null);
        }
    }

    /** {@code audit.verify}: check the hash chain and the head file. */
    record AuditVerify() implements Request {
        @Override
        public String method() {
            return "audit.verify";
        }

        @Override
        public Map<String, Object> params() {
            return ordered();
        }
    }

    /** {@code audit.prune}: delete the records before {@code before} (an ISO-8601 instant). */
    record AuditPrune(String before) implements Request {
        public AuditPrune {
            Objects.requireNonNull(before, "before");
        }

        @Override
        public String method() {
            return "audit.prune";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("before", before);
        }
    }

    /** {@code tool.list}: the tools the agent holds a {@code tool:} grant for. */
    record ToolList(String id) implements Request {
        public ToolList {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "tool.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id);
        }
    }

    /**
     * {@code tool.call}: run tool {@code name} with the agent's grants.
     *
     * @param arguments a JSON object
     */
    record ToolCall(String id, String name, JsonNode arguments) implements Request {
        public ToolCall {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(arguments, "arguments");
        }

        @Override
        public String method() {
            return "tool.call";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "name", name, "arguments", arguments);
        }
    }

    /** {@code caps.list}: an agent's grants and on whose behalf it acts. */
    record CapsList(String id) implements Request {
        public CapsList {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "caps.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id);
        }
    }

    /**
     * {@code caps.grant}. Optional limits are {@code null} when not given.
     *
     * @param rate    {@code COUNT/[N]UNIT}, e.g. {@code 10/m}
     * @param expires an ISO-8601 instant or a duration agentd adds to its clock
     */
    record CapsGrant(String id, String kind, String value, Long maxInvocations, String rate, String expires)
            implements Request {
        public CapsGrant {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String method() {
            return "caps.grant";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "kind", kind, "value", value, "max_invocations", maxInvocations,
                    "rate", rate, "expires", expires);
        }
    }

    /** {@code caps.revoke}: the grant and every grant derived from it. */
    record CapsRevoke(long grantId) implements Request {
        @Override
        public String method() {
            return "caps.revoke";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("grant_id", grantId);
        }
    }

    /** {@code secret.set}; the value travels base64-encoded, so any bytes survive. */
    record SecretSet(String name, String valueBase64) implements Request {
        public SecretSet {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(valueBase64, "valueBase64");
        }

        @Override
        public String method() {
            return "secret.set";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("name", name, "value_base64", valueBase64);
        }

        /** Never the value: a request may end up in an error message or a test report. */
        @Override
        public String toString() {
            return "SecretSet[name=" + name + ", valueBase64=(hidden)]";
        }
    }

    /** {@code secret.list}: names only, never values. */
    record SecretList() implements Request {
        @Override
        public String method() {
            return "secret.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered();
        }
    }

    /** {@code secret.delete}. */
    record SecretDelete(String name) implements Request {
        public SecretDelete {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String method() {
            return "secret.delete";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("name", name);
        }
    }

    /** {@code approval.list}: the pending approvals. */
    record ApprovalList() implements Request {
        @Override
        public String method() {
            return "approval.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered();
        }
    }

    /** {@code approval.approve} or, with {@code approve} false, {@code approval.deny}. */
    record ApprovalDecide(String id, boolean approve) implements Request {
        public ApprovalDecide {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return approve ? "approval.approve" : "approval.deny";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id);
        }
    }

    /** {@code mcp.list}: the external MCP servers from agentd.yaml and their state. */
    record McpList() implements Request {
        @Override
        public String method() {
            return "mcp.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered();
        }
    }

    /** {@code mcp.approve}: re-pin an MCP server's current tool definitions and lift its quarantine. */
    record McpApprove(String name) implements Request {
        public McpApprove {
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String method() {
            return "mcp.approve";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("name", name);
        }
    }

    /** {@code checkpoint.create}: dump a running agent. */
    record CheckpointCreate(String id, boolean leaveRunning, boolean incremental) implements Request {
        public CheckpointCreate {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "checkpoint.create";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "leave_running", leaveRunning ? true : null, "incremental", incremental ? true : null);
        }
    }

    /** {@code checkpoint.list}, of one agent (id or name) when {@code agent} is not null. */
    record CheckpointList(String agent) implements Request {
        @Override
        public String method() {
            return "checkpoint.list";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("agent", agent);
        }
    }

    /** {@code checkpoint.remove}. */
    record CheckpointRemove(String id) implements Request {
        public CheckpointRemove {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "checkpoint.remove";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id);
        }
    }

    /** {@code checkpoint.export} to an absolute path (agentd writes it). */
    record CheckpointExport(String id, String file) implements Request {
        public CheckpointExport {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String method() {
            return "checkpoint.export";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "file", file);
        }
    }

    /** {@code checkpoint.import} from an absolute path (agentd reads it). */
    record CheckpointImport(String file) implements Request {
        public CheckpointImport {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String method() {
            return "checkpoint.import";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("file", file);
        }
    }

    /** {@code checkpoint.restore}: a checkpoint back as a running agent, optionally under a new name. */
    record CheckpointRestore(String id, String name) implements Request {
        public CheckpointRestore {
            Objects.requireNonNull(id, "id");
        }

        @Override
        public String method() {
            return "checkpoint.restore";
        }

        @Override
        public Map<String, Object> params() {
            return ordered("id", id, "name", name);
        }
    }

    /** Builds a params map from key/value pairs, leaving out null values. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] != null) {
                m.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return m;
    }
}
