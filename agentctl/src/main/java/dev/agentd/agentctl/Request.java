package dev.agentd.agentctl;

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
