package dev.agentd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Where agentd keeps its state and how it allocates agents' identities.
 *
 * @param stateDir     SQLite database, agents' workspaces and logs
 * @param runDir       the admin socket and other runtime files
 * @param socket       the admin socket
 * @param agentsDir    manifests started at boot ({@code /etc/agentd/agents})
 * @param uidMin       first uid given to agents
 * @param uidMax       last uid given to agents
 * @param cgroupParent parent of agents' cgroups, relative to agentd's own cgroup
 * @param init         the reaping init that holds each sandbox's namespaces
 * @param defaultPids  pids limit of an agent whose manifest sets none (a fork bomb must always stop)
 * @param adminGroup   the group whose members may use the admin socket, besides root
 * @param secretsKey   the root-only key file that encrypts secrets at rest (kept apart from the database)
 * @param tools        LLM providers, token budget and external MCP servers
 * @param criu         the CRIU binary for checkpoints, or null to look in the usual places
 * @param toolcallRate an agent's toolcall() rate when its manifest's {@code limits} set none
 */
public record DaemonConfig(Path stateDir, Path runDir, Path socket, Path agentsDir, int uidMin, int uidMax,
        String cgroupParent, Path init, long defaultPids, String adminGroup, Path secretsKey, ToolsConfig tools, Path criu,
        ToolcallRate toolcallRate) {

    /** Keys of {@code agentd.yaml}. */
    static final List<String> KEYS = List.of("state_dir", "run_dir", "socket", "agents_dir", "uid_min", "uid_max",
            "cgroup_parent", "init", "default_pids", "admin_group", "secrets_key", "llm_providers", "llm_token_budget",
            "mcp_servers", "criu", "toolcalls_per_second", "toolcall_burst");

    /** The system layout: /var/lib/agentd, /run/agentd, /etc/agentd/agents. */
    public static DaemonConfig system() {
        return new DaemonConfig(Path.of("/var/lib/agentd"), Path.of("/run/agentd"), Path.of("/run/agentd/agentd.sock"),
                Path.of("/etc/agentd/agents"), 70000, 79999, "agentd", Path.of("/usr/bin/catatonit"), 512, "agentd",
                Path.of("/etc/agentd/secrets.key"), ToolsConfig.NONE, null, ToolcallRate.DEFAULT);
    }

    /**
     * Embedded defaults under one directory, for tests and trying agentd out:
     * {@code DIR/state}, {@code DIR/run/agentd.sock}, {@code DIR/agents}.
     */
    public static DaemonConfig underRoot(Path root) {
        Path r = root.toAbsolutePath().normalize();
        DaemonConfig s = system();
        return new DaemonConfig(r.resolve("state"), r.resolve("run"), r.resolve("run/agentd.sock"), r.resolve("agents"),
                s.uidMin, s.uidMax, "agentd-" + Integer.toHexString(r.toString().hashCode()), s.init, s.defaultPids,
                s.adminGroup, r.resolve("state/secrets.key"), ToolsConfig.NONE, null, s.toolcallRate);
    }

    /**
     * Reads {@code agentd.yaml}; keys not given keep the system defaults.
     * Unknown keys are errors, as in manifests.
     */
    public static DaemonConfig load(Path file) throws IOException {
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (YamlEngineException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        DaemonConfig d = system();
        if (doc == null) {
            return d;
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IOException(file + ": expected a mapping of settings");
        }
        for (Object k : map.keySet()) {
            if (!KEYS.contains(String.valueOf(k))) {
                throw new IOException(file + ": unknown key \"" + k + "\"; expected one of " + KEYS);
            }
        }
        try {
            return new DaemonConfig(path(map, "state_dir", d.stateDir), path(map, "run_dir", d.runDir),
                    path(map, "socket", d.socket), path(map, "agents_dir", d.agentsDir),
                    integer(map, "uid_min", d.uidMin), integer(map, "uid_max", d.uidMax),
                    string(map, "cgroup_parent", d.cgroupParent), path(map, "init", d.init),
                    integer(map, "default_pids", (int) d.defaultPids), string(map, "admin_group", d.adminGroup),
                    path(map, "secrets_key", d.secretsKey), ToolsConfig.parse(map), path(map, "criu", d.criu),
                    toolcallRate(map, d.toolcallRate)).validated();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** This configuration with other tool settings (tests, and {@code --root} with a config file). */
    public DaemonConfig withTools(ToolsConfig t) {
        return new DaemonConfig(stateDir, runDir, socket, agentsDir, uidMin, uidMax, cgroupParent, init, defaultPids,
                adminGroup, secretsKey, t, criu, toolcallRate);
    }

    /** This configuration with another CRIU binary ({@code null}: look in the usual places). */
    public DaemonConfig withCriu(Path c) {
        return new DaemonConfig(stateDir, runDir, socket, agentsDir, uidMin, uidMax, cgroupParent, init, defaultPids,
                adminGroup, secretsKey, tools, c, toolcallRate);
    }

    /** This configuration with another default toolcall() rate (the bench, tests). */
    public DaemonConfig withToolcallRate(long perSecond, long burst) {
        return new DaemonConfig(stateDir, runDir, socket, agentsDir, uidMin, uidMax, cgroupParent, init, defaultPids,
                adminGroup, secretsKey, tools, criu, new ToolcallRate(perSecond, burst));
    }

    DaemonConfig validated() {
        if (uidMin <= 0 || uidMax < uidMin) {
            throw new IllegalArgumentException("uid_min..uid_max must be a non-empty range above 0, got " + uidMin + ".." + uidMax);
        }
        return this;
    }

    Path agentDir(String id) {
        return stateDir.resolve("agents").resolve(id);
    }

    /** The directory holding one agent's toolcall socket on the host. */
    Path toolcallDir(String id) {
        return runDir.resolve("agents").resolve(id);
    }

    Path database() {
        return stateDir.resolve("agentd.db");
    }

    private static Path path(Map<?, ?> m, String key, Path def) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        Path p = Path.of(v.toString());
        if (!p.isAbsolute()) {
            throw new IllegalArgumentException(key + ": expected an absolute path, got \"" + v + "\"");
        }
        return p;
    }

    private static int integer(Map<?, ?> m, String key, int def) {
        Object v = m.get(key);
        if (v == null) {
            return def;
        }
        if (!(v instanceof Number n)) {
            throw new IllegalArgumentException(key + ": expected a number, got \"" + v + "\"");
        }
        return n.intValue();
    }

    /**
     * {@code toolcalls_per_second} and {@code toolcall_burst}: whole numbers from 1 to
     * {@value dev.agentd.manifest.Limits#MAX_TOOLCALL_RATE}. A burst left out equals the rate when
     * the rate is given (as in a manifest), else keeps its default.
     */
    private static ToolcallRate toolcallRate(Map<?, ?> m, ToolcallRate def) {
        Long rate = rateValue(m, "toolcalls_per_second");
        Long burst = rateValue(m, "toolcall_burst");
        return new ToolcallRate(rate == null ? def.perSecond() : rate,
                burst != null ? burst : rate != null ? rate : def.burst());
    }

    private static Long rateValue(Map<?, ?> m, String key) {
        if (!m.containsKey(key)) {
            return null;
        }
        Object v = m.get(key);
        String expected = "expected a whole number of calls from 1 to " + dev.agentd.manifest.Limits.MAX_TOOLCALL_RATE;
        if (!(v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger)) {
            String got = v == null ? "an empty value" : v instanceof String ? "\"" + v + "\"" : v.toString();
            throw new IllegalArgumentException(key + ": " + expected + ", got " + got);
        }
        java.math.BigInteger n = new java.math.BigInteger(v.toString());
        if (n.signum() <= 0) {
            throw new IllegalArgumentException(key + ": " + expected + ", got " + n
                    + " (an agent that may make no calls cannot work; revoke its tool grants instead)");
        }
        if (n.compareTo(java.math.BigInteger.valueOf(dev.agentd.manifest.Limits.MAX_TOOLCALL_RATE)) > 0) {
            throw new IllegalArgumentException(key + ": " + expected + ", got " + n);
        }
        return n.longValueExact();
    }

    private static String string(Map<?, ?> m, String key, String def) {
        Object v = m.get(key);
        return v == null ? def : v.toString();
    }
}
