package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.manifest.Manifest;
import dev.agentd.spawner.Spawner;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * agentd's agents as the admin API, the agent tools and checkpoints see them:
 * one front over the {@link AgentRegistry} (who runs), the
 * {@link AgentLifecycle} (spawn, restore, stop, kill, wait, re-adoption),
 * {@link AgentExits} (the {@link Reaper}, exit records, restarts) and
 * {@link AgentExecs} ({@code exec}).
 */
final class Supervisor implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How deep agents may spawn agents (a top-level agent is depth 0). */
    static final int MAX_SPAWN_DEPTH = 3;
    /** How many running children one agent may have. */
    static final int MAX_CHILDREN = 8;

    private final DaemonConfig cfg;
    private final AgentRegistry agents;
    private final AgentExits exits;
    private final AgentLifecycle lifecycle;
    private final AgentExecs execs;
    private volatile Toolcalls toolcalls;

    Supervisor(DaemonConfig cfg, Store store, Audit audit, Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp,
            Capabilities caps) {
        this.cfg = cfg;
        this.agents = new AgentRegistry(store);
        this.exits = new AgentExits(agents, audit, caps, () -> toolcalls);
        this.lifecycle = new AgentLifecycle(cfg, store, audit, spawner, cgroups, seccomp, caps, agents, exits,
                () -> toolcalls);
        this.execs = new AgentExecs(cfg, audit, spawner, cgroups, seccomp, agents);
    }

    /** Stops watching (agents keep running, for the next agentd to re-adopt). */
    @Override
    public void close() {
        exits.close();
    }

    AgentRecord spawn(String text, String path, int actor) throws AgentdException {
        return lifecycle.spawn(text, path, actor);
    }

    /** See {@link AgentLifecycle#spawnChild}. */
    AgentRecord spawnChild(String parentId, String text) throws AgentdException {
        return lifecycle.spawnChild(parentId, text);
    }

    /** What a checkpoint needs of a running agent. */
    record CheckpointTarget(AgentRecord record, Manifest manifest, Cgroup cgroup) {}

    CheckpointTarget checkpointTarget(String idOrName) throws AgentdException {
        LiveAgent l = agents.running(idOrName);
        AgentRecord r = l.record;
        if (r.state() != AgentRecord.State.RUNNING || r.initPid() == null || r.pid() == null) {
            ObjectNode data = JSON.createObjectNode();
            data.put("state", r.state().wire());
            throw new AgentdException(AgentdException.WRONG_STATE, "agent " + r.id() + " is " + r.state().wire()
                    + ", not running: only a running agent can be checkpointed", data);
        }
        return new CheckpointTarget(r, l.manifest, l.cgroup);
    }

    /** See {@link AgentLifecycle#restore}. */
    AgentRecord restore(RestoreSource src, String name, int actor) throws AgentdException {
        return lifecycle.restore(src, name, actor);
    }

    /** Re-adopts agents an earlier agentd left running; records those that ended meanwhile. */
    void adoptAll() throws IOException {
        lifecycle.adoptAll();
    }

    List<AgentRecord> list(boolean all) throws AgentdException {
        return agents.list(all);
    }

    AgentRecord status(String idOrName) throws AgentdException {
        return agents.status(idOrName);
    }

    /** Live resource usage of a running agent; empty for one that has ended. */
    Map<String, Object> resources(String id) {
        LiveAgent l = agents.get(id);
        return l == null ? new HashMap<>() : AgentExits.usage(l.cgroup);
    }

    Path logFile(String id) {
        return cfg.agentDir(id).resolve("agent.log");
    }

    AgentRecord stop(String idOrName, Duration grace, int actor) throws AgentdException {
        return lifecycle.stop(idOrName, grace, actor);
    }

    AgentRecord kill(String idOrName, int signal, int actor) throws AgentdException {
        return lifecycle.kill(idOrName, signal, actor);
    }

    /** Waits until the agent has ended (and will not restart); zero timeout waits forever. */
    AgentRecord await(String idOrName, Duration timeout) throws AgentdException {
        return lifecycle.await(idOrName, timeout);
    }

    /** What an {@code exec} produced. */
    record ExecResult(Integer exitCode, Integer signal, boolean timedOut, String output, boolean truncated) {}

    /** See {@link AgentExecs#exec}. */
    ExecResult exec(String agentId, List<String> argv, byte[] stdin, Duration timeout, long maxOutput)
            throws AgentdException {
        return execs.exec(agentId, argv, stdin, timeout, maxOutput);
    }

    /** Grants changed: every running agent's gateway tells its clients (tools/list_changed). */
    void grantsChanged() {
        Toolcalls t = toolcalls;
        if (t != null) {
            t.grantsChanged();
        }
    }

    /** The agents' toolcall sockets, or null when there are none. */
    Toolcalls toolcalls() {
        return toolcalls;
    }

    /** Each agent gets a toolcall socket from {@code t}. */
    void toolcalls(Toolcalls t) {
        this.toolcalls = t;
    }

    boolean isLive(String id) {
        return agents.containsKey(id);
    }

    int runningCount() {
        return agents.size();
    }
}
