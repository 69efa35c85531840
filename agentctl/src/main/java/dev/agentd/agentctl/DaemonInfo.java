package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of {@code daemon.status}: agentd itself and what the kernel
 * offers it (Landlock ABI, seccomp, cgroup layout, CRIU).
 *
 * @param json the result as agentd sent it
 */
public record DaemonInfo(JsonNode json) implements JsonResult {
    /** agentd's version. */
    public String version() {
        return Agent.text(json, "version");
    }

    /** agentd's pid. */
    public Long pid() {
        return Agent.longValue(json, "pid");
    }

    /** Seconds since agentd started. */
    public Long uptimeSeconds() {
        return Agent.longValue(json, "uptime_seconds");
    }

    /** Agents running now. */
    public Long agentsRunning() {
        return Agent.longValue(json, "agents_running");
    }

    /** Kernel release, e.g. {@code 6.18.0}. */
    public String kernelRelease() {
        return Agent.text(kernel(), "release");
    }

    /** Machine architecture, e.g. {@code x86_64}. */
    public String arch() {
        return Agent.text(kernel(), "arch");
    }

    /** Highest Landlock ABI the kernel supports; 0 or {@code null} when Landlock is unavailable. */
    public Long landlockAbi() {
        return Agent.longValue(kernel(), "landlock_abi");
    }

    /** Whether seccomp filtering is available; {@code null} when unknown. */
    public Boolean seccomp() {
        return bool(kernel(), "seccomp");
    }

    /** Whether seccomp user notification is available; {@code null} when unknown. */
    public Boolean seccompUserNotif() {
        return bool(kernel(), "seccomp_user_notif");
    }

    /** unified | hybrid | legacy. */
    public String cgroupLayout() {
        return Agent.text(kernel(), "cgroup_layout");
    }

    /** cgroup controllers agentd can use. */
    public List<String> cgroupControllers() {
        List<String> out = new ArrayList<>();
        kernel().path("cgroup_controllers").forEach(n -> out.add(n.asText()));
        return out;
    }

    /**
     * CRIU as agentd reports it: {@code null} when absent; otherwise its
     * version string, or whatever object agentd describes it with.
     */
    public JsonNode criu() {
        JsonNode c = kernel().get("criu");
        return c == null || c.isNull() ? null : c;
    }

    private JsonNode kernel() {
        return json.path("kernel");
    }

    private static Boolean bool(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isBoolean() ? null : v.asBoolean();
    }
}
