package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A typed view of agentd's agent record ({@code docs/admin-api.md}, "Agent
 * record").
 *
 * <p>Wraps the JSON instead of binding it to fields so that {@code --json}
 * prints exactly what agentd sent, including fields this agentctl does not
 * know yet, and so that a missing or null field reads as {@code null} rather
 * than failing the whole command.
 *
 * @param json the agent record as agentd sent it
 */
public record Agent(JsonNode json) implements JsonResult {

    /** State of an agent whose process exited or was killed. */
    public static final String EXITED = "exited";
    /** State of an agent that could not be started or restarted. */
    public static final String FAILED = "failed";

    public Agent {
        Objects.requireNonNull(json, "json");
    }

    /** The 8-hex-digit id. */
    public String id() {
        return text(json, "id");
    }

    /** The name from the manifest. */
    public String name() {
        return text(json, "name");
    }

    /** starting | running | stopping | exited | failed. */
    public String state() {
        return text(json, "state");
    }

    /** Host pid, or {@code null} when not running. */
    public Long pid() {
        return longValue(json, "pid");
    }

    /** The uid the agent runs as. */
    public Long uid() {
        return longValue(json, "uid");
    }

    /** When agentd accepted the spawn. */
    public Instant createdAt() {
        return instant(json, "created_at");
    }

    /** When the agent's process started, or {@code null}. */
    public Instant startedAt() {
        return instant(json, "started_at");
    }

    /** When the agent exited, or {@code null}. */
    public Instant exitedAt() {
        return instant(json, "exited_at");
    }

    /** Exit code once it exited normally, else {@code null}. */
    public Integer exitCode() {
        Long v = longValue(json, "exit_code");
        return v == null ? null : v.intValue();
    }

    /** Number of the signal that killed it, else {@code null}. */
    public Integer exitSignal() {
        Long v = longValue(json, "exit_signal");
        return v == null ? null : v.intValue();
    }

    /** How many times agentd restarted it. */
    public long restarts() {
        Long v = longValue(json, "restarts");
        return v == null ? 0 : v;
    }

    /** never | on-failure | always, as the manifest said. */
    public String restartPolicy() {
        return text(json, "restart_policy");
    }

    /** Admin uid that spawned it. */
    public Long requestedBy() {
        return longValue(json, "requested_by");
    }

    /** Rules that best-effort mode could not apply on this kernel. */
    public List<String> dropped() {
        List<String> out = new ArrayList<>();
        JsonNode d = json.path("dropped");
        if (d.isArray()) {
            d.forEach(n -> out.add(n.asText()));
        }
        return out;
    }

    /** Manifest file the agent came from, or {@code null} when it was sent as text only. */
    public String manifestPath() {
        return text(json, "manifest_path");
    }

    /** Memory in use now, bytes. */
    public Long memoryCurrent() {
        return longValue(json.path("resources"), "memory_current");
    }

    /** Peak memory, bytes. */
    public Long memoryPeak() {
        return longValue(json.path("resources"), "memory_peak");
    }

    /** CPU time used, microseconds. */
    public Long cpuUsageUsec() {
        return longValue(json.path("resources"), "cpu_usage_usec");
    }

    /** Tasks (processes and threads) in the agent's cgroup now. */
    public Long pidsCurrent() {
        return longValue(json.path("resources"), "pids_current");
    }

    /** Times the OOM killer fired in the agent's cgroup. */
    public Long oomKills() {
        return longValue(json.path("resources"), "oom_kills");
    }

    /** Tool calls agentd handled for the agent since agentd started; null from an agentd that does not count them. */
    public Long toolcalls() {
        return longValue(json, "toolcalls");
    }

    /** True once the agent is gone for good (exited or failed). */
    public boolean isFinished() {
        return EXITED.equals(state()) || FAILED.equals(state());
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Long longValue(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isNumber() ? null : v.asLong();
    }

    /** RFC 3339 timestamp, or {@code null} when absent or unreadable: a bad clock field must not hide the rest. */
    static Instant instant(JsonNode node, String field) {
        String s = text(node, field);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
