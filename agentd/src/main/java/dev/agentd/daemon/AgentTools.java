package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.broker.Decision;
import dev.agentd.broker.GrantKind;
import dev.agentd.manifest.ManifestException;
import dev.agentd.manifest.ManifestParser;
import dev.agentd.toolcall.Tool;
import dev.agentd.toolcall.ToolCall;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The built-in tools that need the supervisor: {@code spawn_agent} and
 * {@code exec}. The others live in the toolcall-gateway module.
 */
final class AgentTools {
    private static final ObjectMapper JSON = new ObjectMapper();

    private AgentTools() {}

    static List<Tool> all(Supervisor supervisor) {
        return List.of(new SpawnAgent(supervisor), new Exec(supervisor));
    }

    private static JsonNode schema(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code spawn_agent}: a child agent with a subset of the caller's grants. */
    static final class SpawnAgent implements Tool {
        private final Supervisor supervisor;

        SpawnAgent(Supervisor supervisor) {
            this.supervisor = supervisor;
        }

        @Override
        public String name() {
            return "spawn_agent";
        }

        @Override
        public String description() {
            return "Start a child agent from a manifest (YAML text). The child can only be given grants the caller holds "
                    + "(its capabilities and filesystem grants must be covered by the caller's, and share their budgets); "
                    + "the caller needs a `spawn: NAME` grant for the child's name. Depth is limited to "
                    + Supervisor.MAX_SPAWN_DEPTH + " and each agent to " + Supervisor.MAX_CHILDREN + " running children.";
        }

        @Override
        public JsonNode inputSchema() {
            return schema("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                    + "\"properties\":{\"manifest\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":65536,"
                    + "\"description\":\"the child's manifest, YAML\"}},\"required\":[\"manifest\"],\"additionalProperties\":false}");
        }

        @Override
        public Optional<JsonNode> outputSchema() {
            return Optional.of(schema("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},"
                    + "\"name\":{\"type\":\"string\"},\"state\":{\"type\":\"string\"}},\"required\":[\"id\",\"name\",\"state\"]}"));
        }

        @Override
        public ToolResult call(ToolCall call) throws ToolException {
            String text = call.arguments().get("manifest").asText();
            String name;
            try {
                name = ManifestParser.parse(text, "spawn_agent").name();
            } catch (ManifestException e) {
                throw new ToolException("invalid manifest: " + e.getMessage());
            }
            Decision d = call.context().authorize(GrantKind.SPAWN, name);
            if (!d.isAllowed()) {
                throw new ToolException("denied: " + ((Decision.Denied) d).reason());
            }
            try {
                AgentRecord child = supervisor.spawnChild(call.agentId(), text);
                ObjectNode o = JSON.createObjectNode();
                o.put("id", child.id());
                o.put("name", child.name());
                o.put("state", child.state().wire());
                return ToolResult.structured(o, "started agent " + child.name() + " (" + child.id() + ")");
            } catch (AgentdException e) {
                throw new ToolException(e.getMessage());
            }
        }
    }

    /** {@code exec}: a command in a fresh sandbox derived from the caller's grants. */
    static final class Exec implements Tool {
        static final long MAX_OUTPUT = 256 * 1024;
        private final Supervisor supervisor;

        Exec(Supervisor supervisor) {
            this.supervisor = supervisor;
        }

        @Override
        public String name() {
            return "exec";
        }

        @Override
        public String description() {
            return "Run a command in a fresh sandbox with the caller's filesystem grants, workspace, uid and limits, and no "
                    + "network. Returns its exit status and its output (stdout and stderr together, up to 256 KiB).";
        }

        @Override
        public JsonNode inputSchema() {
            return schema("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
                    + "\"properties\":{\"argv\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"minItems\":1,\"maxItems\":256},"
                    + "\"stdin\":{\"type\":\"string\",\"maxLength\":1048576},"
                    + "\"timeout_seconds\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":300}},"
                    + "\"required\":[\"argv\"],\"additionalProperties\":false}");
        }

        @Override
        public Optional<JsonNode> outputSchema() {
            return Optional.of(schema("{\"type\":\"object\",\"properties\":{\"exit_code\":{\"type\":[\"integer\",\"null\"]},"
                    + "\"signal\":{\"type\":[\"integer\",\"null\"]},\"timed_out\":{\"type\":\"boolean\"},"
                    + "\"output\":{\"type\":\"string\"},\"truncated\":{\"type\":\"boolean\"}},"
                    + "\"required\":[\"exit_code\",\"signal\",\"timed_out\",\"output\",\"truncated\"]}"));
        }

        @Override
        public ToolResult call(ToolCall call) throws ToolException {
            List<String> argv = new ArrayList<>();
            call.arguments().get("argv").forEach(a -> argv.add(a.asText()));
            try {
                argv.set(0, SandboxPlanner.resolveCommand(argv).get(0));
            } catch (IllegalArgumentException e) {
                throw new ToolException(e.getMessage());
            }
            byte[] stdin = call.arguments().has("stdin")
                    ? call.arguments().get("stdin").asText().getBytes(StandardCharsets.UTF_8) : null;
            Duration timeout = Duration.ofSeconds(call.arguments().path("timeout_seconds").asLong(60));
            Duration left = Duration.between(Instant.now(), call.deadline());
            if (left.compareTo(timeout) < 0) {
                timeout = left.isNegative() ? Duration.ofMillis(1) : left;
            }
            try {
                Supervisor.ExecResult r = supervisor.exec(call.agentId(), argv, stdin, timeout, MAX_OUTPUT);
                ObjectNode o = JSON.createObjectNode();
                if (r.exitCode() == null) {
                    o.putNull("exit_code");
                } else {
                    o.put("exit_code", r.exitCode());
                }
                if (r.signal() == null) {
                    o.putNull("signal");
                } else {
                    o.put("signal", r.signal());
                }
                o.put("timed_out", r.timedOut());
                o.put("output", r.output());
                o.put("truncated", r.truncated());
                return ToolResult.structured(o, r.output());
            } catch (AgentdException e) {
                throw new ToolException(e.getMessage());
            }
        }
    }
}
