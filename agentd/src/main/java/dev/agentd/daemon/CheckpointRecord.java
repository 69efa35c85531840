package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * One checkpoint in the catalog.
 *
 * @param id            the checkpoint's id (8 hex digits, like an agent's)
 * @param agentId       the agent it was taken of
 * @param agentName     that agent's name
 * @param uid           that agent's uid (a restore keeps it)
 * @param createdAt     when the dump finished
 * @param sizeBytes     images plus snapshots
 * @param kernel        {@code uname -r} of the machine that took it
 * @param criuVersion   the CRIU that dumped it
 * @param manifest      the agent's manifest text
 * @param grants        the agent's grants at the checkpoint (JSON, as {@code caps.list} answers)
 * @param approvals     its pending approvals at the checkpoint (JSON array)
 * @param parentId      the checkpoint whose images this one's memory builds on, or null
 * @param leftRunning   whether the agent went on running after the dump
 * @param trackedMemory whether dirty-memory tracking was started, so a later {@code --incremental} can build on it
 * @param agentStart    the agent process's start time in clock ticks (which run of the agent: incremental dumps chain within one)
 * @param dumpMillis    how long the agent was frozen for the dump
 * @param origin        {@code local}, or {@code imported} from an archive
 */
record CheckpointRecord(String id, String agentId, String agentName, int uid, Instant createdAt, long sizeBytes,
        String kernel, String criuVersion, String manifest, String grants, String approvals, String parentId,
        boolean leftRunning, boolean trackedMemory, long agentStart, long dumpMillis, String origin) {
    private static final ObjectMapper JSON = new ObjectMapper();

    CheckpointRecord withOrigin(String o) {
        return new CheckpointRecord(id, agentId, agentName, uid, createdAt, sizeBytes, kernel, criuVersion, manifest, grants,
                approvals, parentId, leftRunning, trackedMemory, agentStart, dumpMillis, o);
    }

    /** The catalog entry as the admin API and export archives carry it. */
    ObjectNode toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", id);
        o.put("agent_id", agentId);
        o.put("agent_name", agentName);
        o.put("uid", uid);
        o.put("created_at", createdAt.toString());
        o.put("size_bytes", sizeBytes);
        o.put("kernel", kernel);
        o.put("criu_version", criuVersion);
        o.put("manifest", manifest);
        o.set("grants", parse(grants));
        o.set("approvals", parse(approvals));
        o.put("parent", parentId);
        o.put("left_running", leftRunning);
        o.put("tracked_memory", trackedMemory);
        o.put("agent_start", agentStart);
        o.put("dump_ms", dumpMillis);
        o.put("origin", origin);
        return o;
    }

    /**
     * A catalog entry read back from an archive.
     *
     * @throws IllegalArgumentException naming the missing or malformed field
     */
    static CheckpointRecord fromJson(JsonNode o) {
        String id = text(o, "id");
        if (!id.matches("[0-9a-f]{8}")) {
            throw new IllegalArgumentException("id: expected 8 hex digits, got \"" + id + "\"");
        }
        Instant created;
        try {
            created = Instant.parse(text(o, "created_at"));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("created_at: expected an ISO-8601 instant, got \"" + o.get("created_at").asText() + "\"");
        }
        return new CheckpointRecord(id, text(o, "agent_id"), text(o, "agent_name"), number(o, "uid"), created,
                o.path("size_bytes").asLong(0), o.path("kernel").asText(""), o.path("criu_version").asText(""),
                text(o, "manifest"), o.path("grants").toString(), o.path("approvals").toString(),
                o.path("parent").isTextual() ? o.get("parent").asText() : null, o.path("left_running").asBoolean(false),
                o.path("tracked_memory").asBoolean(false), o.path("agent_start").asLong(0), o.path("dump_ms").asLong(0),
                o.path("origin").asText("local"));
    }

    private static String text(JsonNode o, String field) {
        if (!o.path(field).isTextual() || o.get(field).asText().isEmpty()) {
            throw new IllegalArgumentException(field + ": expected a non-empty string");
        }
        return o.get(field).asText();
    }

    private static int number(JsonNode o, String field) {
        if (!o.path(field).canConvertToInt()) {
            throw new IllegalArgumentException(field + ": expected an integer");
        }
        return o.get(field).asInt();
    }

    private static JsonNode parse(String json) {
        try {
            JsonNode n = json == null || json.isEmpty() ? null : JSON.readTree(json);
            return n == null || n.isMissingNode() ? JSON.nullNode() : n;
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(json);
        }
    }
}
