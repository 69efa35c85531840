package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.cgroups.CgroupStats;
import dev.agentd.cgroups.LimitMode;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.manifest.Manifest;
import dev.agentd.manifest.ManifestError;
import dev.agentd.manifest.ManifestException;
import dev.agentd.manifest.ManifestParser;
import dev.agentd.manifest.RestartPolicy;
import dev.agentd.manifest.Uid;
import dev.agentd.spawner.SandboxHandle;
import dev.agentd.spawner.SandboxSpec;
import dev.agentd.spawner.SpawnException;
import dev.agentd.spawner.Spawner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The registry and lifecycle of agents: spawn, watch, stop, kill, restart,
 * and re-adoption of agents left running by an earlier agentd.
 *
 * <p>One {@link Reaper} learns of every live agent's exit; on its exit pool
 * the agent's cgroup is emptied and removed, the exit recorded with its
 * resource usage, and the restart policy applied.
 */
final class Supervisor implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final DaemonConfig cfg;
    private final Store store;
    private final Audit audit;
    private final Spawner spawner;
    private final CgroupManager cgroups;
    private final SeccompPolicy seccomp;
    private final Capabilities caps;
    private volatile Toolcalls toolcalls;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private final Reaper reaper;
    /** Restart backoffs: timers on one thread (none while no restart waits). */
    private final java.util.concurrent.ScheduledThreadPoolExecutor backoffs;

    /** A running agent: its record (replaced as it changes), process and cgroup. */
    private static final class Live {
        volatile AgentRecord record;
        volatile AgentProcess process;
        volatile Cgroup cgroup;
        volatile String parentId;
        /** While a restart waits out its backoff: the exit it follows, and its timer. */
        volatile AgentRecord pendingExit;
        volatile java.util.concurrent.ScheduledFuture<?> backoff;
        final Manifest manifest;

        Live(AgentRecord record, Manifest manifest) {
            this.record = record;
            this.manifest = manifest;
        }
    }

    Supervisor(DaemonConfig cfg, Store store, Audit audit, Spawner spawner, CgroupManager cgroups, SeccompPolicy seccomp,
            Capabilities caps) {
        this.caps = caps;
        this.cfg = cfg;
        this.store = store;
        this.audit = audit;
        this.spawner = spawner;
        this.cgroups = cgroups;
        this.seccomp = seccomp;
        try {
            this.reaper = new Reaper();
        } catch (dev.agentd.linux.SyscallException e) {
            throw new IllegalStateException("cannot create the reaper's epoll: " + e.getMessage(), e);
        }
        this.backoffs = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "agentd-restart-backoff");
            t.setDaemon(true);
            return t;
        });
        backoffs.setRemoveOnCancelPolicy(true);
        backoffs.setKeepAliveTime(30, TimeUnit.SECONDS);
        backoffs.allowCoreThreadTimeOut(true);
    }

    /** Stops watching (agents keep running, for the next agentd to re-adopt). */
    @Override
    public void close() {
        backoffs.shutdownNow();
        reaper.close();
    }

    // ---- spawn ----------------------------------------------------------------

    /** How deep agents may spawn agents (a top-level agent is depth 0). */
    static final int MAX_SPAWN_DEPTH = 3;
    /** How many running children one agent may have. */
    static final int MAX_CHILDREN = 8;

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
        Live parent = live.get(parentId);
        if (parent == null) {
            throw new AgentdException(AgentdException.WRONG_STATE, "parent agent " + parentId + " is not running");
        }
        // The chain runs from the agent up to the admin: [agent, parent, ..., admin].
        int depth = caps.broker().chain(parentId).size() - 2;
        if (depth + 1 > MAX_SPAWN_DEPTH) {
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "spawn depth limit " + MAX_SPAWN_DEPTH + " reached");
        }
        long children = live.values().stream().filter(x -> parentId.equals(x.parentId)).count();
        if (children >= MAX_CHILDREN) {
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "agent " + parentId + " already runs " + children
                    + " children (limit " + MAX_CHILDREN + ")");
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
            for (Live l : live.values()) {
                if (l.record.name().equals(m.name())) {
                    refuse(actor, m.name(), "an agent named " + m.name() + " is already running (" + l.record.id() + ")");
                }
            }
            int uid = allocateUid(m.uid(), actor, m.name());
            String id = newId();
            rec = new AgentRecord(id, m.name(), AgentRecord.State.STARTING, text, path, uid, null, null, null,
                    Instant.now(), null, null, null, null, 0, actor, List.of(), null, false);
            put(rec);
            Live l = new Live(rec, m);
            l.parentId = parentId;
            live.put(id, l);
        }
        try {
            if (parentId == null) {
                caps.register(rec.id(), m, actor, rec.createdAt());
            } else {
                caps.registerChild(rec.id(), parentId, m, rec.createdAt());
            }
        } catch (RuntimeException e) {
            live.remove(rec.id());
            AgentRecord failed = rec.failed("grants: " + e.getMessage(), Instant.now());
            put(failed);
            audit.record(actor, rec.id(), "spawn.refused", Map.of("name", rec.name(), "step", "grants",
                    "reason", String.valueOf(e.getMessage())));
            ObjectNode data = JSON.createObjectNode();
            data.put("id", rec.id());
            data.put("step", "grants");
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "spawn of " + rec.name() + " refused: " + e.getMessage(), data);
        }
        try {
            return launch(live.get(rec.id()), actor);
        } catch (AgentdException e) {
            live.remove(rec.id());
            caps.forget(rec.id());
            throw e;
        }
    }

    private void refuse(int actor, String name, String why) throws AgentdException {
        audit.record(actor, null, "spawn.refused", Map.of("name", name, "reason", why));
        throw new AgentdException(AgentdException.SPAWN_REFUSED, why);
    }

    // ---- checkpoint and restore ------------------------------------------------------

    /** What a checkpoint needs of a running agent. */
    record CheckpointTarget(AgentRecord record, Manifest manifest, Cgroup cgroup) {}

    CheckpointTarget checkpointTarget(String idOrName) throws AgentdException {
        Live l = running(idOrName);
        AgentRecord r = l.record;
        if (r.state() != AgentRecord.State.RUNNING || r.initPid() == null || r.pid() == null) {
            ObjectNode data = JSON.createObjectNode();
            data.put("state", r.state().wire());
            throw new AgentdException(AgentdException.WRONG_STATE, "agent " + r.id() + " is " + r.state().wire()
                    + ", not running: only a running agent can be checkpointed", data);
        }
        return new CheckpointTarget(r, l.manifest, l.cgroup);
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
            m = new Manifest(name, m.command(), m.env(), m.workdir(), m.uid(), m.resources(), m.filesystem(), m.network(),
                    m.landlock(), m.seccomp(), m.restart(), m.capabilities(), m.approvalRequired(), m.source());
        }
        AgentRecord rec;
        synchronized (lock) {
            for (Live l : live.values()) {
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
            rec = new AgentRecord(newId(), m.name(), AgentRecord.State.STARTING, src.manifest(), null, uid, null, null, null,
                    Instant.now(), null, null, null, null, 0, actor, List.of(), null, false);
            put(rec);
            live.put(rec.id(), new Live(rec, m));
        }
        try {
            caps.register(rec.id(), m, actor, rec.createdAt());
            List<String> changed = GrantSnapshot.reapply(caps.broker(), rec.id(), src.grants(),
                    dev.agentd.broker.Principal.admin(actor));
            if (!changed.isEmpty()) {
                audit.record(actor, rec.id(), "restore.grants", Map.of("checkpoint", src.checkpointId(), "changes", changed));
            }
        } catch (RuntimeException e) {
            live.remove(rec.id());
            caps.forget(rec.id());
            put(rec.failed("grants: " + e.getMessage(), Instant.now()));
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "restore of " + rec.name() + " refused: " + e.getMessage());
        }
        try {
            return launch(live.get(rec.id()), actor, src);
        } catch (AgentdException e) {
            live.remove(rec.id());
            caps.forget(rec.id());
            throw e;
        }
    }

    private AgentRecord launch(Live l, Integer actor) throws AgentdException {
        return launch(l, actor, null);
    }

    /**
     * Creates the cgroup, workspace and sandbox and starts the agent, or restores
     * it from {@code restore} when that is not null; on failure leaves nothing behind.
     */
    private AgentRecord launch(Live l, Integer actor, RestoreSource restore) throws AgentdException {
        AgentRecord rec = l.record;
        Manifest m = l.manifest;
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
            l.process = new AgentProcess.Spawned(h);
            OptionalLong ticks = AgentProcess.startTicks(h.pid());
            AgentRecord started = rec.started(h.pid(), h.initPid(), ticks.orElse(0), Instant.now(), h.dropped());
            l.record = started;
            put(started);
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
            watch(l);
            return started;
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            if (toolcalls != null) {
                toolcalls.close(rec.id());
            }
            if (cg != null) {
                try {
                    cg.killAll(KILL_TIMEOUT);
                    cg.remove();
                } catch (CgroupException ce) {
                    System.err.println("agentd: could not remove cgroup of failed spawn " + rec.id() + ": " + ce.getMessage());
                }
            }
            String step = e instanceof SpawnException se ? se.step() : "prepare";
            AgentRecord failed = rec.failed(e.getMessage(), Instant.now());
            l.record = failed;
            try {
                put(failed);
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
        Set<Integer> used;
        try {
            used = store.uidsInUse();
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
        if (wanted instanceof Uid.Fixed f) {
            if (used.contains(f.uid())) {
                refuse(actor, name, "uid " + f.uid() + " is already used by a running agent;"
                        + " agents sharing a uid could see and signal each other");
            }
            return f.uid();
        }
        // The top of the range belongs to the configured MCP servers.
        for (int u = cfg.uidMin(); u <= cfg.uidMax() - cfg.tools().mcpServers().size(); u++) {
            if (!used.contains(u)) {
                return u;
            }
        }
        refuse(actor, name, "no free uid in " + cfg.uidMin() + ".." + cfg.uidMax());
        return -1;
    }

    private static String newId() {
        return String.format("%08x", RANDOM.nextInt());
    }

    // ---- watching, exit, restart ------------------------------------------------

    private void watch(Live l) {
        try {
            reaper.watch(l.process.pidfd(), () -> onExit(l));
        } catch (IOException | RuntimeException e) {
            watcherFailed(l, e);
        }
    }

    /** On an exit worker: the agent's process has ended. */
    private void onExit(Live l) {
        try {
            handleExit(l);
        } catch (Throwable e) {
            watcherFailed(l, e);
        }
    }

    /** Never leave a live entry nobody watches: record the failure and let waiters go. */
    private void watcherFailed(Live l, Throwable e) {
        System.err.println("agentd: watching " + l.record.id() + " failed: " + e);
        AgentRecord failed = l.record.failed("watcher failed: " + e, Instant.now());
        l.record = failed;
        try {
            put(failed);
        } catch (AgentdException | RuntimeException ignored) {
            // already reported on stderr
        }
        synchronized (l) {
            live.remove(failed.id(), l);
            l.notifyAll();
        }
    }

    private void handleExit(Live l) {
        AgentProcess.Exit exit;
        try {
            exit = l.process.awaitExit(); // at once: the process has ended
        } catch (IOException | InterruptedException e) {
            exit = AgentProcess.Exit.UNKNOWN;
        }
        Map<String, Object> usage = usage(l.cgroup);
        cleanup(l);
        AgentRecord exited;
        synchronized (l) { // a stop request landing now is not lost
            exited = l.record.exited(exit.code(), exit.signal(), Instant.now(), null);
            l.record = exited;
            putOrReport(exited);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("exit_code", exit.code());
        details.put("exit_signal", exit.signal());
        if (exit.code() == null && exit.signal() == null) {
            details.put("note", "exit status unknown: agent was re-adopted, and only a parent learns it");
        }
        details.put("resources", usage);
        audit.record(null, exited.id(), "exit", details);
        if (!shouldRestart(l, exit)) {
            caps.forget(exited.id());
            synchronized (l) {
                live.remove(exited.id());
                l.notifyAll();
            }
            return;
        }
        RestartPolicy p = l.manifest.restart();
        long backoffNanos = TimeUnit.MILLISECONDS.toNanos(p.backoff().toMillis() << Math.min(exited.restarts(), 6));
        synchronized (l) {
            // The backoff is a timer, not a waiting thread; a stop ends it at once
            // (see wakeBackoff) rather than holding for the whole, doubling, backoff.
            l.pendingExit = exited;
            if (l.record.stopRequested()) {
                reaper.submit(() -> afterBackoff(l));
            } else {
                l.backoff = backoffs.schedule(() -> reaper.submit(() -> afterBackoff(l)), backoffNanos,
                        TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A stop or kill landed: a restart waiting out its backoff goes on now (and sees the stop). */
    private void wakeBackoff(Live l) {
        java.util.concurrent.ScheduledFuture<?> f = l.backoff;
        if (f != null && f.cancel(false)) {
            reaper.submit(() -> afterBackoff(l));
        }
    }

    private void afterBackoff(Live l) {
        AgentRecord exited;
        synchronized (l) {
            l.backoff = null;
            exited = l.pendingExit;
            if (exited == null) {
                return; // already handled (a stop and the timer both fired)
            }
            l.pendingExit = null;
            if (l.record.stopRequested()) {
                // Stopped while waiting to restart: it stays exited, and says so.
                AgentRecord stopped = exited.withStopRequested().withState(AgentRecord.State.EXITED);
                l.record = stopped;
                putOrReport(stopped);
                caps.forget(exited.id());
                live.remove(exited.id());
                l.notifyAll();
                return;
            }
            l.record = exited.restarting();
            putOrReport(l.record);
        }
        try {
            launchForRestart(l); // watches the new process
        } catch (AgentdException e) {
            live.remove(exited.id());
            synchronized (l) {
                l.notifyAll();
            }
        } catch (RuntimeException e) {
            watcherFailed(l, e);
        }
    }

    private void launchForRestart(Live l) throws AgentdException {
        audit.record(null, l.record.id(), "restart", Map.of("restarts", l.record.restarts(),
                "policy", l.manifest.restart().policy().yamlName()));
        launch(l, null);
    }

    private static boolean shouldRestart(Live l, AgentProcess.Exit exit) {
        if (l.record.stopRequested()) {
            return false;
        }
        RestartPolicy p = l.manifest.restart();
        switch (p.policy()) {
            case ALWAYS:
                return true;
            case ON_FAILURE:
                return exit.failed() && l.record.restarts() < p.maxRetries();
            default:
                return false;
        }
    }

    private void cleanup(Live l) {
        if (toolcalls != null) {
            toolcalls.close(l.record.id());
        }
        try {
            if (l.cgroup != null) {
                l.cgroup.killAll(KILL_TIMEOUT);
            }
        } catch (CgroupException e) {
            System.err.println("agentd: could not empty cgroup of " + l.record.id() + ": " + e.getMessage());
        }
        l.process.release();
        try {
            if (l.cgroup != null) {
                l.cgroup.remove();
            }
        } catch (CgroupException e) {
            System.err.println("agentd: could not remove cgroup of " + l.record.id() + ": " + e.getMessage());
        }
    }

    static Map<String, Object> usage(Cgroup cg) {
        Map<String, Object> u = new LinkedHashMap<>();
        if (cg == null) {
            return u;
        }
        try {
            CgroupStats s = cg.stats();
            u.put("memory_current", opt(s.memoryCurrentBytes()));
            u.put("memory_peak", opt(s.memoryPeakBytes()));
            u.put("cpu_usage_usec", s.cpuUsageNanos().isPresent() ? s.cpuUsageNanos().getAsLong() / 1000 : null);
            u.put("pids_current", opt(s.pidsCurrent()));
            u.put("oom_kills", opt(s.oomKills()));
        } catch (CgroupException e) {
            u.put("error", e.getMessage());
        }
        return u;
    }

    private static Long opt(OptionalLong v) {
        return v.isPresent() ? v.getAsLong() : null;
    }

    // ---- adoption ---------------------------------------------------------------

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
            Cgroup cg = null;
            try {
                cg = cgroups.open("agent-" + a.id());
            } catch (CgroupException e) {
                // gone
            }
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
            Live l = new Live(a, m);
            l.cgroup = cg;
            if (same && inCgroup) {
                l.process = new AgentProcess.Adopted(a.pid(), ticks.getAsLong());
                live.put(a.id(), l);
                try {
                    openToolcalls(l, cg);
                } catch (IOException | RuntimeException e) {
                    System.err.println("agentd: could not reopen the toolcall socket of " + a.id() + ": " + e.getMessage());
                }
                audit.record(null, a.id(), "adopt", Map.of("pid", a.pid(), "name", a.name()));
                watch(l);
            } else {
                // It ended while no agentd watched: record that and clean up.
                // Not restarted: its exit status is unknown, and restarting an
                // agent nobody saw fail is a decision for an admin.
                finishVanished(l);
            }
        }
    }

    private void finishVanished(Live l) {
        Map<String, Object> usage = usage(l.cgroup);
        if (l.cgroup != null) {
            try {
                l.cgroup.killAll(KILL_TIMEOUT);
                l.cgroup.remove();
            } catch (CgroupException e) {
                System.err.println("agentd: " + e.getMessage());
            }
        }
        AgentRecord exited = l.record.exited(null, null, Instant.now(), null);
        putOrReport(exited);
        audit.record(null, exited.id(), "exit", Map.of("note", "ended while agentd was not running; exit status unknown",
                "resources", usage));
        caps.forget(exited.id());
    }

    // ---- queries and control -------------------------------------------------------

    List<AgentRecord> list(boolean all) throws AgentdException {
        try {
            List<AgentRecord> out = new ArrayList<>();
            for (AgentRecord a : store.all()) {
                Live l = live.get(a.id());
                AgentRecord cur = l == null ? a : l.record;
                if (all || !cur.state().isFinal()) {
                    out.add(cur);
                }
            }
            return out;
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
    }

    AgentRecord status(String idOrName) throws AgentdException {
        Live l = live.get(idOrName);
        if (l != null) {
            return l.record;
        }
        try {
            Optional<AgentRecord> a = store.get(idOrName);
            if (a.isPresent()) {
                return a.get();
            }
            for (Live x : live.values()) {
                if (x.record.name().equals(idOrName)) {
                    return x.record;
                }
            }
            List<AgentRecord> named = store.byName(idOrName);
            if (!named.isEmpty()) {
                return named.get(0);
            }
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
        ObjectNode data = JSON.createObjectNode();
        data.put("id", idOrName);
        throw new AgentdException(AgentdException.NO_SUCH_AGENT, "no agent with id or name \"" + idOrName + "\"", data);
    }

    /** Live resource usage of a running agent; empty for one that has ended. */
    Map<String, Object> resources(String id) {
        Live l = live.get(id);
        return l == null ? new HashMap<>() : usage(l.cgroup);
    }

    Path logFile(String id) {
        return cfg.agentDir(id).resolve("agent.log");
    }

    /** Persists a record where a failure cannot be answered to anyone: it is reported on stderr. */
    private void putOrReport(AgentRecord r) {
        try {
            put(r);
        } catch (AgentdException e) {
            System.err.println("agentd: " + e.getMessage());
        }
    }

    AgentRecord stop(String idOrName, Duration grace, int actor) throws AgentdException {
        Live l = running(idOrName);
        synchronized (l) { // atomic with the watcher's exit and restart decisions
            if (live.get(l.record.id()) != l) {
                return status(l.record.id()); // it ended meanwhile
            }
            l.record = l.record.withStopRequested();
            put(l.record);
            wakeBackoff(l); // a restart waiting out its backoff sees the stop now
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
                    l.cgroup.killAll(KILL_TIMEOUT);
                } else {
                    l.process.signal(ProcessSyscall.SIGKILL);
                }
            } catch (IOException e) {
                if (live.get(l.record.id()) == l) {
                    throw new AgentdException(AgentdException.INTERNAL, "could not kill " + l.record.id() + ": " + e.getMessage());
                }
            }
            return await(l.record.id(), KILL_TIMEOUT);
        }
    }

    AgentRecord kill(String idOrName, int signal, int actor) throws AgentdException {
        Live l = running(idOrName);
        if (signal == ProcessSyscall.SIGKILL || signal == ProcessSyscall.SIGTERM) {
            // An explicit kill is a stop: do not restart it.
            synchronized (l) {
                l.record = l.record.withStopRequested();
                put(l.record);
                wakeBackoff(l);
            }
        }
        audit.record(actor, l.record.id(), "kill", Map.of("signal", signal));
        try {
            if (signal == ProcessSyscall.SIGKILL && l.cgroup != null) {
                l.cgroup.killAll(KILL_TIMEOUT);
            } else {
                l.process.signal(signal);
            }
        } catch (IOException e) {
            if (live.get(l.record.id()) != l) {
                return status(l.record.id()); // it ended meanwhile: nothing left to signal
            }
            throw new AgentdException(AgentdException.INTERNAL, "could not signal " + l.record.id() + ": " + e.getMessage());
        }
        return l.record;
    }

    /** Waits until the agent has ended (and will not restart); zero timeout waits forever. */
    AgentRecord await(String idOrName, Duration timeout) throws AgentdException {
        AgentRecord r = status(idOrName);
        Live l = live.get(r.id());
        if (l == null) {
            return status(r.id());
        }
        long deadline = timeout.isZero() ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        synchronized (l) {
            while (live.get(r.id()) == l) {
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
        return status(r.id());
    }

    /** What an {@code exec} produced. */
    record ExecResult(Integer exitCode, Integer signal, boolean timedOut, String output, boolean truncated) {}

    private final java.util.concurrent.atomic.AtomicLong execs = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Runs {@code argv} in a fresh sandbox derived from a running agent's: the
     * same uid, filesystem grants and limits, its workspace, no network, its
     * own namespaces, cgroup and root; stdout and stderr captured together.
     */
    ExecResult exec(String agentId, List<String> argv, byte[] stdin, Duration timeout, long maxOutput)
            throws AgentdException {
        Live l = running(agentId);
        Manifest m = l.manifest;
        Manifest em = new Manifest(m.name() + "-exec", argv, m.env(), m.workdir(), m.uid(), m.resources(), m.filesystem(),
                dev.agentd.manifest.NetworkMode.NONE, m.landlock(), m.seccomp(), RestartPolicy.NEVER, List.of(), List.of(),
                m.source());
        String execId = l.record.id() + "-x" + execs.incrementAndGet();
        Path dir = cfg.agentDir(l.record.id()).resolve("exec").resolve(execId);
        Cgroup cg = null;
        SandboxHandle h = null;
        try (dev.agentd.linux.Pipe in = dev.agentd.linux.Pipe.open()) {
            Files.createDirectories(dir.resolve("root"));
            cg = cgroups.create("exec-" + execId, withPids(m.resources().cgroup(), cfg.defaultPids()), LimitMode.STRICT);
            SandboxSpec spec = SandboxPlanner.builder(em, l.record.uid(), dir.resolve("root"),
                    cfg.agentDir(l.record.id()).resolve("workspace"), dir.resolve("output"), cg, seccomp.compile(m.seccomp()),
                    cfg).stdio(in.readEnd(), null).build();
            h = spawner.spawn(spec);
            in.readEnd().close();
            try (java.io.OutputStream w = dev.agentd.linux.Pipe.outputStream(in.writeEnd())) {
                if (stdin != null) {
                    w.write(stdin);
                }
            } catch (IOException e) {
                // the command did not read its input: fine
            }
            SandboxHandle handle = h;
            java.util.concurrent.CompletableFuture<dev.agentd.linux.WaitStatus> done =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return handle.waitFor();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            boolean timedOut = false;
            dev.agentd.linux.WaitStatus st;
            try {
                st = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                timedOut = true;
                cg.killAll(KILL_TIMEOUT);
                st = done.join();
            }
            cg.killAll(KILL_TIMEOUT);
            h.reapInit();
            byte[] out = Files.readAllBytes(dir.resolve("output"));
            boolean truncated = out.length > maxOutput;
            String text = new String(out, 0, (int) Math.min(out.length, maxOutput), java.nio.charset.StandardCharsets.UTF_8);
            audit.record(null, agentId, "exec", Map.of("argv", argv, "exit_code", String.valueOf(st.exited() ? st.exitCode() : null),
                    "signal", st.signal(), "timed_out", timedOut, "output_bytes", out.length));
            return new ExecResult(st.exited() ? st.exitCode() : null, st.exited() ? null : st.signal(), timedOut, text, truncated);
        } catch (IOException | IllegalArgumentException | InterruptedException | java.util.concurrent.ExecutionException e) {
            // A cancelled call interrupts this thread: clean up first, with the
            // flag cleared (an interrupted freeze or wait would leave the sandbox
            // frozen and running), then pass the interruption on.
            boolean interrupted = Thread.interrupted() || e instanceof InterruptedException;
            if (h != null && cg != null) {
                try {
                    cg.killAll(KILL_TIMEOUT);
                    h.waitFor();
                } catch (IOException ignored) {
                    // best effort during failure cleanup
                }
                h.reapInit();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new AgentdException(AgentdException.SPAWN_REFUSED, "exec " + (interrupted ? "cancelled" : "refused") + ": "
                    + e.getMessage());
        } finally {
            boolean interrupted = Thread.interrupted(); // removal may wait: not interruptibly
            if (cg != null) {
                try {
                    cg.remove();
                } catch (CgroupException e) {
                    System.err.println("agentd: could not remove exec cgroup " + execId + ": " + e.getMessage());
                }
            }
            deleteTree(dir);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // leftovers in the agent's directory are harmless
        }
    }

    /** Grants changed: every running agent's gateway tells its clients (tools/list_changed). */
    void grantsChanged() {
        if (toolcalls != null) {
            toolcalls.grantsChanged();
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

    private void openToolcalls(Live l, Cgroup cg) throws IOException {
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

    boolean isLive(String id) {
        return live.containsKey(id);
    }

    int runningCount() {
        return live.size();
    }

    private Live running(String idOrName) throws AgentdException {
        AgentRecord r = status(idOrName);
        Live l = live.get(r.id());
        if (l == null) {
            ObjectNode data = JSON.createObjectNode();
            data.put("state", r.state().wire());
            throw new AgentdException(AgentdException.WRONG_STATE, "agent " + r.id() + " is not running (" + r.state().wire() + ")", data);
        }
        return l;
    }

    private void put(AgentRecord r) throws AgentdException {
        try {
            store.put(r);
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
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
