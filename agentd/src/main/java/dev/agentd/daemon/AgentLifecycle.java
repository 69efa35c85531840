package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.ManifestError;
import dev.agentd.manifest.ManifestException;
import dev.agentd.manifest.ManifestParser;
import dev.agentd.manifest.Uid;
import dev.agentd.spawner.SandboxHandle;
import dev.agentd.spawner.SandboxSpec;
import dev.agentd.spawner.SpawnException;
import dev.agentd.spawner.Spawner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The lifecycle of agents: spawn (and spawn by a parent agent), restore from a
 * checkpoint, launch (cgroup, directories, sandbox), stop, kill, wait, and
 * re-adoption of agents left running by an earlier agentd. Exits are
 * {@link AgentExits}'; who runs is {@link AgentRegistry}'s.
 */
final class AgentLifecycle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DaemonConfig cfg;
    private final Store store;
    private final Audit audit;
    private final Spawner spawner;
    private final CgroupManager cgroups;
    private final SeccompPolicy seccomp;
    private final Capabilities caps;
    private final AgentRegistry agents;
    private final AgentExits exits;
    private final Supplier<Toolcalls> toolcalls;
    private final Object lock;

    AgentLifecycle(DaemonConfig cfg, Store store, Audit audit, Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp,
            Capabilities caps, AgentRegistry agents, AgentExits exits, Supplier<Toolcalls> toolcalls) {
        this.cfg = cfg;
        this.store = store;
        this.audit = audit;
        this.spawner = spawner;
        this.cgroups = cgroups;
        this.seccomp = seccomp;
        this.caps = caps;
        this.agents = agents;
        this.exits = exits;
        this.toolcalls = toolcalls;
        this.lock = agents.lock();
        exits.relaunch(l -> launch(l, null));
    }

    AgentRecord spawn(String text, String path, int actor) throws AgentdException {
        return spawn(text, path, actor, null);
    }

    /**
     * Spawns an agent for a running parent agent (the {@code spawn_agent} tool):
     * its grants must be a subset of the parent's ("you can only give what you
     * have"), shared counters included; it runs on the parent's behalf and as
     * the parent's admin.
     */
    AgentRecord spawnChild(String parentId, String text) throws AgentdException {
        LiveAgent parent = agents.get(parentId);
        if (parent == null) {
            throw new AgentdException(AgentdException.WRONG_STATE, "parent agent " + parentId + " is not running");
        }
        // The chain runs from the agent up to the admin: [agent, parent, ..., admin].
        int depth = caps.broker().chain(parentId).size() - 2;
        if (depth + 1 > Supervisor.MAX_SPAWN_DEPTH) {
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "spawn depth limit " + Supervisor.MAX_SPAWN_DEPTH + " reached");
        }
        long children = agents.values().stream().filter(x -> parentId.equals(x.parentId)).count();
        if (children >= Supervisor.MAX_CHILDREN) {
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "agent " + parentId + " already runs " + children
                    + " children (limit " + Supervisor.MAX_CHILDREN + ")");
        }
        return spawn(text, null, parent.record.requestedBy(), parentId);
    }

    private AgentRecord spawn(String text, String path, int actor, String parentId) throws AgentdException {
        String file = path == null ? "manifest" : path;
        Manifest m;
        try {
            m = ManifestParser.parse(text, file);
        } catch (ManifestException e) {
            audit.record(actor, null, "spawn.refused", Map.of("reason", "manifest invalid", "file", file,
                    "errors", e.errors().stream().map(ManifestError::toString).toList()));
            throw new AgentdException(AgentdException.MANIFEST_INVALID, "manifest " + file + " is invalid: "
                    + e.errors().size() + " error(s)", manifestErrors(e.errors()));
        }
        AgentRecord rec;
        synchronized (lock) {
            for (LiveAgent l : agents.values()) {
                if (l.record.name().equals(m.name())) {
                    refuse(actor, m.name(), "an agent named " + m.name() + " is already running (" + l.record.id() + ")");
                }
            }
            int uid = allocateUid(m.uid(), actor, m.name());
            String id = AgentRegistry.newId();
            rec = new AgentRecord(id, m.name(), AgentRecord.State.STARTING, text, path, uid, null, null, null,
                    Instant.now(), null, null, null, null, 0, actor, List.of(), null, false);
            agents.record(rec);
            LiveAgent l = new LiveAgent(rec, m);
            l.parentId = parentId;
            agents.put(id, l);
        }
        try {
            if (parentId == null) {
                caps.register(rec.id(), m, actor, rec.createdAt());
            } else {
                caps.registerChild(rec.id(), parentId, m, rec.createdAt());
            }
        } catch (RuntimeException e) {
            agents.remove(rec.id());
            AgentRecord failed = rec.failed("grants: " + e.getMessage(), Instant.now());
            agents.record(failed);
            audit.record(actor, rec.id(), "spawn.refused", Map.of("name", rec.name(), "step", "grants",
                    "reason", String.valueOf(e.getMessage())));
            ObjectNode data = JSON.createObjectNode();
            data.put("id", rec.id());
            data.put("step", "grants");
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "spawn of " + rec.name() + " refused: " + e.getMessage(), data);
        }
        try {
            return launch(agents.get(rec.id()), actor);
        } catch (AgentdException e) {
            agents.remove(rec.id());
            caps.forget(rec.id());
            throw e;
        }
    }

    private void refuse(int actor, String name, String why) throws AgentdException {
        audit.record(actor, null, "spawn.refused", Map.of("name", name, "reason", why));
        throw new AgentdException(AgentdException.SPAWN_REFUSED, why);
    }

    /**
     * Brings a checkpointed agent back as a new agent (new id, same uid) in a
     * fresh sandbox built from its manifest; see {@link Spawner#restore}.
     *
     * @param name the new agent's name, or null for the checkpointed agent's
     */
    AgentRecord restore(RestoreSource src, String name, int actor) throws AgentdException {
        Manifest m;
        try {
            m = ManifestParser.parse(src.manifest(), "checkpoint " + src.checkpointId());
        } catch (ManifestException e) {
            throw new AgentdException(AgentdException.MANIFEST_INVALID, "the manifest of checkpoint " + src.checkpointId()
                    + " no longer parses: " + e.errors().size() + " error(s)", manifestErrors(e.errors()));
        }
        if (name != null) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw new AgentdException(AgentdException.INVALID_PARAMS, "name: expected letters, digits, '.', '_' and '-',"
                        + " at most 63 characters, starting with a letter or digit; got \"" + name + "\"");
            }
            m = new Manifest(name, m.command(), m.env(), m.workdir(), m.uid(), m.resources(), m.limits(), m.filesystem(), m.network(),
                    m.landlock(), m.seccomp(), m.restart(), m.capabilities(), m.approvalRequired(), m.source());
        }
        AgentRecord rec;
        synchronized (lock) {
            for (LiveAgent l : agents.values()) {
                if (l.record.name().equals(m.name())) {
                    refuse(actor, m.name(), "an agent named " + m.name() + " is already running (" + l.record.id()
                            + "); restore with --name NEW, or stop it first");
                }
                if (l.record.uid() == src.uid()) {
                    refuse(actor, m.name(), "uid " + src.uid() + " of checkpoint " + src.checkpointId() + " is used by running"
                            + " agent " + l.record.id() + " (" + l.record.name() + "); a restored agent keeps its uid"
                            + " (CRIU restores credentials from the images), and agents sharing a uid could signal each"
                            + " other: stop " + l.record.id() + " first");
                }
            }
            int uid = allocateUid(new Uid.Fixed(src.uid()), actor, m.name());
            rec = new AgentRecord(AgentRegistry.newId(), m.name(), AgentRecord.State.STARTING, src.manifest(), null, uid, null, null, null,
                    Instant.now(), null, null, null, null, 0, actor, List.of(), null, false);
            agents.record(rec);
            agents.put(rec.id(), new LiveAgent(rec, m));
        }
        try {
            caps.register(rec.id(), m, actor, rec.createdAt());
            List<String> changed = GrantSnapshot.reapply(caps.broker(), rec.id(), src.grants(),
                    dev.agentd.broker.Principal.admin(actor));
            if (!changed.isEmpty()) {
                audit.record(actor, rec.id(), "restore.grants", Map.of("checkpoint", src.checkpointId(), "changes", changed));
            }
        } catch (RuntimeException e) {
            agents.remove(rec.id());
            caps.forget(rec.id());
            agents.record(rec.failed("grants: " + e.getMessage(), Instant.now()));
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "restore of " + rec.name() + " refused: " + e.getMessage());
        }
        try {
            return launch(agents.get(rec.id()), actor, src);
        } catch (AgentdException e) {
            agents.remove(rec.id());
            caps.forget(rec.id());
            throw e;
        }
    }

    AgentRecord launch(LiveAgent l, Integer actor) throws AgentdException {
        return launch(l, actor, null);
    }

    /**
     * Creates the cgroup, workspace and sandbox and starts the agent, or restores
     * it from {@code restore} when that is not null; on failure leaves nothing behind.
     */
    private AgentRecord launch(LiveAgent l, Integer actor, RestoreSource restore) throws AgentdException {
        AgentRecord rec = l.record;
        Manifest m = l.manifest;
        Toolcalls toolcalls = this.toolcalls.get();
        Path dir = cfg.agentDir(rec.id());
        Cgroup cg = null;
        String verb = restore == null ? "spawn" : "restore";
        try {
            prepareDirs(dir, rec.uid());
            if (restore != null) {
                // The files the agent had open must be back, same paths and sizes, before it is.
                Snapshots.copyTree(restore.workspace(), dir.resolve("workspace"));
                Files.copy(restore.log(), dir.resolve("agent.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
            CgroupLimits limits = m.resources().cgroup();
            if (limits.pidsMax().isEmpty()) {
                limits = withPids(limits, cfg.defaultPids());
            }
            cg = cgroups.create("agent-" + rec.id(), limits, LimitMode.STRICT);
            CgroupRecord.write(dir, cg);
            byte[] filter = seccomp.compile(m.seccomp());
            SandboxSpec.Builder sb = SandboxPlanner.builder(m, rec.uid(), dir.resolve("root"), dir.resolve("workspace"),
                    dir.resolve("agent.log"), cg, filter, cfg);
            if (toolcalls != null) {
                // The socket's directory, not the socket: a restarted agentd binds
                // a new socket there, and the agent's view follows.
                openToolcalls(l, cg);
                sb.mount(new dev.agentd.spawner.BindMount(cfg.toolcallDir(rec.id()), Toolcalls.SANDBOX_SOCKET.getParent(), false));
                // Reading the Python client there; connecting to the socket needs no Landlock right.
                sb.access(Toolcalls.SANDBOX_SOCKET.getParent(), dev.agentd.spawner.PathAccess.Kind.READ);
            }
            SandboxHandle h;
            String probe = null;
            if (restore == null) {
                h = spawner.spawn(sb.build());
            } else {
                Spawner.Restored r = spawner.restore(sb.build(), new dev.agentd.spawner.Restore(restore.restorer(),
                        restore.imagesDir(), restore.parentImages(), Optional.of(restore.tmp()), restore.probe()));
                h = r.handle();
                probe = r.probeOutput().strip();
            }
            l.cgroup = cg;
            l.process = new AgentProcess.Spawned(h, parkExitStatus(h, cg, rec));
            OptionalLong ticks = AgentProcess.startTicks(h.pid());
            AgentRecord started = rec.started(h.pid(), h.initPid(), ticks.orElse(0), Instant.now(), h.dropped());
            l.record = started;
            agents.record(started);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", rec.name());
            details.put("pid", h.pid());
            details.put("uid", rec.uid());
            details.put("cgroup", cg.name());
            details.put("restarts", rec.restarts());
            details.put("dropped", h.dropped());
            if (restore != null) {
                details.put("checkpoint", restore.checkpointId());
                details.put("confinement_probe", probe);
            }
            audit.record(actor, rec.id(), verb, details);
            exits.watch(l);
            return started;
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            if (toolcalls != null) {
                toolcalls.close(rec.id());
            }
            if (cg != null) {
                try {
                    cg.killAll(AgentExits.KILL_TIMEOUT);
                    cg.remove();
                } catch (CgroupException ce) {
                    System.err.println("agentd: could not remove cgroup of failed spawn " + rec.id() + ": " + ce.getMessage());
                }
            }
            String step = e instanceof SpawnException se ? se.step() : "prepare";
            AgentRecord failed = rec.failed(e.getMessage(), Instant.now());
            l.record = failed;
            try {
                agents.record(failed);
            } catch (AgentdException ignored) {
                // already reported by put
            }
            audit.record(actor, rec.id(), verb + ".refused", Map.of("name", rec.name(), "step", step,
                    "reason", String.valueOf(e.getMessage())));
            ObjectNode data = JSON.createObjectNode();
            data.put("id", rec.id());
            data.put("step", step);
            throw new AgentdException(AgentdException.SPAWN_REFUSED, verb + " of " + rec.name() + " refused: " + e.getMessage(), data);
        }
    }

    /** {@code limits} plus a pids limit: every agent gets one, so a fork bomb always stops. */
    static CgroupLimits withPids(CgroupLimits limits, long pids) {
        CgroupLimits.Builder b = CgroupLimits.builder().pidsMax(pids);
        limits.memoryMax().ifPresent(b::memoryMax);
        limits.memoryHigh().ifPresent(b::memoryHigh);
        limits.swapMax().ifPresent(b::swapMax);
        limits.cpuMax().ifPresent(b::cpuMax);
        limits.cpuWeight().ifPresent(b::cpuWeight);
        limits.ioWeight().ifPresent(b::ioWeight);
        return b.build();
    }

    private static void prepareDirs(Path dir, int uid) throws IOException {
        Files.createDirectories(dir);
        Path root = dir.resolve("root");
        if (Files.exists(root)) {
            Files.delete(root);
        }
        Files.createDirectory(root);
        Path ws = dir.resolve("workspace");
        if (!Files.exists(ws)) {
            Files.createDirectory(ws, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setAttribute(ws, "unix:uid", uid);
        Files.setAttribute(ws, "unix:gid", uid);
    }

    private int allocateUid(Uid wanted, int actor, String name) throws AgentdException {
        try {
            // The top of the range belongs to the configured MCP servers.
            return agents.allocateUid(wanted, cfg.uidMin(), cfg.uidMax() - cfg.tools().mcpServers().size(), cfg.uidMax());
        } catch (AgentdException e) {
            if (e.code() == AgentdException.SPAWN_REFUSED) {
                refuse(actor, name, e.getMessage());
            }
            throw e;
        }
    }

    /**
     * Parks a pidfd of the new agent with a keeper (see {@link ExitKeeper}) where
     * the kernel keeps exit statuses for pidfds; returns the keeper's pid, or 0.
     * A keeper that cannot start costs only the exit status after a restart.
     */
    private static int parkExitStatus(SandboxHandle h, Cgroup cg, AgentRecord rec) {
        if (!ExitKeeper.available()) {
            return 0;
        }
        try {
            return ExitKeeper.park(h.pidfd(), cg, rec.uid());
        } catch (IOException | RuntimeException e) {
            System.err.println("agentd: no exit-status keeper for " + rec.id() + " (its exit status is lost if agentd"
                    + " restarts before it ends): " + e.getMessage());
            return 0;
        }
    }

    /** The cgroup of an agent an earlier agentd spawned, by its record; null when gone. */
    private Cgroup openAgentCgroup(String id) {
        return CgroupRecord.open(cgroups, cfg.agentDir(id), "agent-" + id);
    }

    /** Re-adopts agents an earlier agentd left running; records those that ended meanwhile. */
    void adoptAll() throws IOException {
        for (AgentRecord a : store.all()) {
            if (a.state().isFinal()) {
                continue;
            }
            Manifest m;
            try {
                m = ManifestParser.parse(a.manifest(), a.manifestPath() == null ? "manifest" : a.manifestPath());
            } catch (ManifestException e) {
                store.put(a.failed("stored manifest no longer parses: " + e.getMessage(), Instant.now()));
                continue;
            }
            Cgroup cg = openAgentCgroup(a.id());
            OptionalLong ticks = a.pid() == null ? OptionalLong.empty() : AgentProcess.startTicks(a.pid());
            boolean same = ticks.isPresent() && a.pidStartTicks() != null && ticks.getAsLong() == a.pidStartTicks();
            boolean inCgroup = false;
            if (same && cg != null) {
                try {
                    inCgroup = cg.pids().contains(a.pid().longValue());
                } catch (CgroupException e) {
                    inCgroup = false;
                }
            }
            LiveAgent l = new LiveAgent(a, m);
            l.cgroup = cg;
            if (same && inCgroup) {
                l.process = new AgentProcess.Adopted(a.pid(), ticks.getAsLong());
                agents.put(a.id(), l);
                try {
                    openToolcalls(l, cg);
                } catch (IOException | RuntimeException e) {
                    System.err.println("agentd: could not reopen the toolcall socket of " + a.id() + ": " + e.getMessage());
                }
                audit.record(null, a.id(), "adopt", Map.of("pid", a.pid(), "name", a.name()));
                exits.watch(l);
            } else {
                // It ended while no agentd watched: record that and clean up.
                // Not restarted: restarting an agent nobody saw fail is a
                // decision for an admin.
                AgentProcess.Exit exit = same
                        ? AgentProcess.zombieExit(a.pid(), ticks.getAsLong()).orElse(AgentProcess.Exit.UNKNOWN)
                        : AgentProcess.Exit.UNKNOWN;
                if (!exit.known()) {
                    exit = ExitKeeper.parkedExit(cg).map(AgentProcess.Exit::of).orElse(AgentProcess.Exit.UNKNOWN);
                }
                finishVanished(l, exit);
            }
        }
    }

    private void finishVanished(LiveAgent l, AgentProcess.Exit exit) {
        Map<String, Object> usage = AgentExits.usage(l.cgroup);
        if (l.cgroup != null) {
            try {
                l.cgroup.killAll(AgentExits.KILL_TIMEOUT);
                l.cgroup.remove();
            } catch (CgroupException e) {
                System.err.println("agentd: " + e.getMessage());
            }
        }
        AgentRecord exited = l.record.exited(exit.code(), exit.signal(), Instant.now(), null);
        agents.recordOrReport(exited);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("exit_code", exit.code());
        details.put("exit_signal", exit.signal());
        details.put("note", exit.known() ? "ended while agentd was not running"
                : "ended while agentd was not running; exit status unknown: " + ExitKeeper.unavailableNote());
        details.put("resources", usage);
        audit.record(null, exited.id(), "exit", details);
        caps.forget(exited.id());
    }

    AgentRecord stop(String idOrName, Duration grace, int actor) throws AgentdException {
        LiveAgent l = agents.running(idOrName);
        synchronized (l) { // atomic with the watcher's exit and restart decisions
            if (agents.get(l.record.id()) != l) {
                return agents.status(l.record.id()); // it ended meanwhile
            }
            l.record = l.record.withStopRequested();
            agents.record(l.record);
            exits.wakeBackoff(l); // a restart waiting out its backoff sees the stop now
        }
        audit.record(actor, l.record.id(), "stop", Map.of("grace_seconds", grace.toSeconds()));
        try {
            l.process.signal(ProcessSyscall.SIGTERM);
        } catch (IOException e) {
            // already exiting
        }
        try {
            return await(l.record.id(), grace);
        } catch (AgentdException timeout) {
            audit.record(actor, l.record.id(), "kill", Map.of("signal", ProcessSyscall.SIGKILL, "reason", "grace period over"));
            try {
                if (l.cgroup != null) {
                    l.cgroup.killAll(AgentExits.KILL_TIMEOUT);
                } else {
                    l.process.signal(ProcessSyscall.SIGKILL);
                }
            } catch (IOException e) {
                if (agents.get(l.record.id()) == l) {
                    throw new AgentdException(AgentdException.INTERNAL, "could not kill " + l.record.id() + ": " + e.getMessage());
                }
            }
            return await(l.record.id(), AgentExits.KILL_TIMEOUT);
        }
    }

    AgentRecord kill(String idOrName, int signal, int actor) throws AgentdException {
        LiveAgent l = agents.running(idOrName);
        if (signal == ProcessSyscall.SIGKILL || signal == ProcessSyscall.SIGTERM) {
            // An explicit kill is a stop: do not restart it.
            synchronized (l) {
                l.record = l.record.withStopRequested();
                agents.record(l.record);
                exits.wakeBackoff(l);
            }
        }
        audit.record(actor, l.record.id(), "kill", Map.of("signal", signal));
        try {
            if (signal == ProcessSyscall.SIGKILL && l.cgroup != null) {
                l.cgroup.killAll(AgentExits.KILL_TIMEOUT);
            } else {
                l.process.signal(signal);
            }
        } catch (IOException e) {
            if (agents.get(l.record.id()) != l) {
                return agents.status(l.record.id()); // it ended meanwhile: nothing left to signal
            }
            throw new AgentdException(AgentdException.INTERNAL, "could not signal " + l.record.id() + ": " + e.getMessage());
        }
        return l.record;
    }

    /** Waits until the agent has ended (and will not restart); zero timeout waits forever. */
    AgentRecord await(String idOrName, Duration timeout) throws AgentdException {
        AgentRecord r = agents.status(idOrName);
        LiveAgent l = agents.get(r.id());
        if (l == null) {
            return agents.status(r.id());
        }
        long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        synchronized (l) {
            while (agents.get(r.id()) == l) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    ObjectNode data = JSON.createObjectNode();
                    data.put("state", l.record.state().wire());
                    throw new AgentdException(AgentdException.WRONG_STATE, "agent " + r.id() + " still running after "
                            + timeout.toSeconds() + "s", data);
                }
                try {
                    l.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 1000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AgentdException(AgentdException.INTERNAL, "interrupted");
                }
            }
        }
        return agents.status(r.id());
    }

    private void openToolcalls(LiveAgent l, Cgroup cg) throws IOException {
        Toolcalls toolcalls = this.toolcalls.get();
        if (toolcalls == null) {
            return;
        }
        toolcalls.open(l.record.id(), l.record.uid(), l.manifest, pid -> {
            try {
                return cg.pids().contains((long) pid);
            } catch (CgroupException e) {
                return false;
            }
        });
    }

    private static ObjectNode manifestErrors(List<ManifestError> errors) {
        ObjectNode data = JSON.createObjectNode();
        ArrayNode arr = data.putArray("errors");
        for (ManifestError e : errors) {
            ObjectNode o = arr.addObject();
            o.put("file", e.file());
            o.put("line", e.line());
            o.put("column", e.column());
            o.put("key", e.key());
            o.put("message", e.message());
        }
        return data;
    }
}
