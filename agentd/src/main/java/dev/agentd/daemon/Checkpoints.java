package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.Cgroup;
import dev.agentd.checkpoint.CheckpointArchive;
import dev.agentd.checkpoint.Criu;
import dev.agentd.checkpoint.CriuCommand;
import dev.agentd.checkpoint.CriuException;
import dev.agentd.checkpoint.CriuLog;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.manifest.NetworkMode;
import dev.agentd.spawner.Restore;
import dev.agentd.toolcall.Gateway;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Checkpoints of running agents with CRIU, their catalog, export and import,
 * and restores (docs/checkpoint.md).
 *
 * <p>A checkpoint directory holds {@code images/} (CRIU's), {@code workspace/}
 * and {@code tmp/} (what CRIU does not save: the agent's files) and
 * {@code agent.log} (its log at the dump: CRIU reopens it at a restore and
 * checks its size). It is built under a {@code .partial-} name and renamed
 * into place only when complete, then recorded in the catalog: after any
 * failure there is neither a directory nor a catalog entry.
 */
final class Checkpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** util-linux, on every Debian. */
    static final Path NSENTER = Path.of("/usr/bin/nsenter");
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path SH = Path.of("/bin/sh");
    /** The images directory's descriptor in {@code criu dump} (CRIU runs in the agent's mount namespace). */
    static final int DUMP_IMAGES_FD = 9;
    /** How long the agent's cgroup may take to freeze while its connections are closed. */
    static final Duration FREEZE_TIMEOUT = Duration.ofSeconds(10);
    /** How long a checkpoint waits for the agent's tool calls in flight. */
    static final Duration CALLS_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long the agent stays frozen after CRIU starts, waiting for CRIU to
     * stop every process with ptrace; after it the agent is thawed anyway (it
     * may then reconnect before CRIU holds it: the dump is retried).
     */
    static final Duration SEIZE_TIMEOUT = Duration.ofSeconds(30);
    /** Dumps tried when the agent reconnects to its tool-call socket just before CRIU freezes it. */
    static final int DUMP_ATTEMPTS = 3;
    /** A dump that takes longer is killed and fails: the agent is resumed. */
    static final Duration DUMP_TIMEOUT = Duration.ofMinutes(10);
    /** What a checkpoint snapshots besides CRIU's images. */
    static final List<String> SNAPSHOTS = List.of("workspace", "tmp", "agent.log");
    /** The kernel feature {@code --incremental} needs (soft-dirty bits, CONFIG_MEM_SOFT_DIRTY). */
    static final String DIRTY_TRACKING = "mem_dirty_track";
    /** Where an incremental checkpoint keeps the memory its pre-dump copied: beside {@code images}. */
    static final String PRE_DUMP = "predump";

    /** Receives one line per phase of a long operation, and about once a second while CRIU dumps. */
    interface Progress {
        void say(String phase, String detail);
    }

    private final DaemonConfig cfg;
    private final Store store;
    private final Audit audit;
    private final Supervisor supervisor;
    private final CapsApi capsApi;
    private final Object lock = new Object();

    Checkpoints(DaemonConfig cfg, Store store, Audit audit, Supervisor supervisor, CapsApi capsApi) {
        this.cfg = cfg;
        this.store = store;
        this.audit = audit;
        this.supervisor = supervisor;
        this.capsApi = capsApi;
    }

    Path root() {
        return cfg.stateDir().resolve("checkpoints");
    }

    Path dir(String checkpointId) {
        return root().resolve(checkpointId);
    }

    // ---- checkpoint ------------------------------------------------------------------

    /**
     * Dumps a running agent. The agent is stopped by CRIU for the dump and the
     * snapshots (so its files and memory agree), then resumed or, without
     * {@code leaveRunning}, killed and recorded as stopped.
     */
    CheckpointRecord create(String idOrName, boolean leaveRunning, boolean incremental, int actor, Progress progress)
            throws AgentdException {
        Supervisor.CheckpointTarget t = supervisor.checkpointTarget(idOrName);
        AgentRecord a = t.record();
        if (t.manifest().network() == NetworkMode.HOST) {
            refuse(actor, a, "agents on the host network cannot be checkpointed: their sockets are the host's, and"
                    + " their Landlock domain keeps the abstract-socket scope, which CRIU's parasite cannot pass");
        }
        refuseWhileAwaitingApproval(a, Optional.empty());
        Criu criu = locate(actor, a);
        boolean tracking = supports(criu, DIRTY_TRACKING);
        CheckpointRecord parent = null;
        if (incremental) {
            if (!tracking) {
                refuse(actor, a, "--incremental needs the kernel to track dirty memory (soft-dirty bits,"
                        + " CONFIG_MEM_SOFT_DIRTY; `criu check --feature " + DIRTY_TRACKING + "` fails here); make a full"
                        + " checkpoint instead");
            }
            // On top of the latest --leave-running checkpoint of this run, when there is one.
            parent = latestTracked(a);
        }
        Optional<Gateway> gateway = supervisor.toolcalls() == null ? Optional.empty()
                : supervisor.toolcalls().gateway(a.id());
        String id = newId();
        Path partial = root().resolve(".partial-" + id);
        Path images = partial.resolve("images");
        long frozenAt = 0;
        long thawedAt;
        boolean dumped = false;
        long preDumpMillis = -1;
        boolean preDumping = false;
        synchronized (lock) { // one dump at a time: CRIU's cost is the machine's, and the catalog stays simple
            try {
                Files.createDirectories(images);
                // The dump's memory on top of: the pre-dump, else the parent, else nothing.
                String prev = parent == null ? null : "../../" + parent.id() + "/images";
                if (incremental) {
                    // The memory is copied while the agent runs; the dump, with the agent
                    // stopped, then writes only the pages changed since.
                    Path pre = partial.resolve(PRE_DUMP);
                    Files.createDirectories(pre);
                    progress.say("pre-dump", "copying the memory of agent " + a.id() + " while it runs"
                            + (parent == null ? "" : ", on top of checkpoint " + parent.id()));
                    long t0 = System.nanoTime();
                    preDumping = true;
                    runCriu("pre-dump", criu, t, pre, prev, tracking, progress, null);
                    preDumpMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    prev = "../" + PRE_DUMP;
                }
                for (int attempt = 1; ; attempt++) {
                    refuseWhileAwaitingApproval(a, gateway);
                    Cgroup frozen = quiesceToolcalls(gateway, t.cgroup(), progress) ? t.cgroup() : null;
                    if (frozen != null && !seizesFrozen(frozen)) {
                        thawQuietly(frozen, true); // v1: a frozen task stops for ptrace only once thawed
                        frozen = null;
                    }
                    progress.say("dump", "criu " + criu.version() + " dumping agent " + a.id() + " (pid " + a.pid() + ")"
                            + (prev == null ? "" : ", memory changed since " + (incremental ? "the pre-dump"
                                    : "checkpoint " + parent.id())));
                    frozenAt = System.nanoTime();
                    try {
                        runCriu("dump", criu, t, images, prev, tracking, progress, frozen);
                        break;
                    } catch (AgentdException e) {
                        // Once more when the agent reconnected between the close and CRIU's
                        // seize (CRIU took longer than SEIZE_TIMEOUT to hold it, so it was thawed
                        // first): the agent is resumed first, and a gone agent fails the next try.
                        // A criu killed by a signal is not retried: whoever killed it meant it.
                        if (attempt == DUMP_ATTEMPTS || !e.getMessage().contains("External socket")) {
                            throw e;
                        }
                        resume(t);
                        frozenAt = 0;
                        gateway.ifPresent(Gateway::release);
                        Snapshots.deleteTree(images);
                        Files.createDirectories(images);
                        // The failed dump may have reset the dirty bits: the next one is whole.
                        if (prev != null) {
                            prev = null;
                            parent = null;
                            Snapshots.deleteTree(partial.resolve(PRE_DUMP));
                        }
                        progress.say("dump", "the agent reconnected to its tool-call socket meanwhile; again, whole");
                    }
                }
                dumped = true;
                progress.say("snapshot", "workspace, /tmp and log");
                Files.copy(cfg.agentDir(a.id()).resolve("agent.log"), partial.resolve("agent.log"),
                        StandardCopyOption.COPY_ATTRIBUTES);
                Snapshots.copyTree(cfg.agentDir(a.id()).resolve("workspace"), partial.resolve("workspace"));
                Snapshots.copyTree(Path.of("/proc/" + a.initPid() + "/root/tmp"), partial.resolve("tmp"));
                Snapshots.writeAttributes(partial, SNAPSHOTS);
            } catch (IOException | AgentdException e) {
                thawQuietly(t.cgroup(), true); // a quiesce's freeze never outlives a failure
                if (dumped || frozenAt != 0 || preDumping) {
                    resume(t); // CRIU left it stopped (or died): it goes on as before
                }
                gateway.ifPresent(Gateway::release);
                deleteQuietly(partial);
                String why = e.getMessage();
                audit.record(actor, a.id(), "checkpoint.failed", Map.of("reason", String.valueOf(why)));
                if (e instanceof AgentdException ae) {
                    throw ae;
                }
                throw new AgentdException(AgentdException.INTERNAL, "checkpoint of " + a.id() + " failed: " + why);
            }
            // The dump is complete: the agent goes on, or ends as asked.
            gateway.ifPresent(Gateway::release);
            if (leaveRunning) {
                resume(t);
            }
            thawedAt = System.nanoTime();
            CheckpointRecord c;
            try {
                Files.move(partial, dir(id), StandardCopyOption.ATOMIC_MOVE);
                c = new CheckpointRecord(id, a.id(), a.name(), a.uid(), Instant.now(), Snapshots.size(dir(id)),
                        System.getProperty("os.version"), criu.version().toString(), a.manifest(), grantsOf(a.id()),
                        approvalsOf(a.id()), parent == null ? null : parent.id(), leaveRunning, tracking && leaveRunning,
                        a.pidStartTicks() == null ? 0 : a.pidStartTicks(), TimeUnit.NANOSECONDS.toMillis(thawedAt - frozenAt),
                        "local");
                store.putCheckpoint(c);
            } catch (IOException e) {
                deleteQuietly(partial);
                deleteQuietly(dir(id));
                if (!leaveRunning) {
                    resume(t);
                }
                audit.record(actor, a.id(), "checkpoint.failed", Map.of("reason", String.valueOf(e.getMessage())));
                throw new AgentdException(AgentdException.INTERNAL, "checkpoint of " + a.id() + " failed: " + e.getMessage());
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("checkpoint", id);
            details.put("size_bytes", c.sizeBytes());
            details.put("left_running", leaveRunning);
            details.put("parent", c.parentId() == null ? "" : c.parentId());
            details.put("dump_ms", c.dumpMillis());
            if (preDumpMillis >= 0) {
                details.put("pre_dump_ms", preDumpMillis);
            }
            audit.record(actor, a.id(), "checkpoint", details);
            if (!leaveRunning) {
                progress.say("stop", "agent " + a.id() + " stops (it is in checkpoint " + id + ")");
                supervisor.kill(a.id(), ProcessSyscall.SIGKILL, actor);
                supervisor.await(a.id(), Duration.ofSeconds(30));
            }
            progress.say("done", "checkpoint " + id + ", " + c.sizeBytes() + " bytes, agent frozen " + c.dumpMillis() + " ms");
            return c;
        }
    }

    /**
     * Between tool calls: new calls are held (unanswered until the dump is
     * over), calls in flight may finish; then, with the agent's cgroup frozen
     * (it can neither connect nor write), the connections still in the
     * listening socket's backlog are taken and every connection of the agent's
     * is closed. CRIU cannot save one end of a Unix connection whose other end
     * is agentd's; agentd's clients reconnect on their next call, so the agent's
     * code sees nothing of it. When one is not quiet (a request in it, a call
     * held), the agent is thawed, the hold released so the call can run, and the
     * whole is tried again, for at most {@link #CALLS_TIMEOUT}.
     *
     * @return true when the cgroup is left frozen: the caller starts CRIU with
     *         the agent still frozen ({@link #runCriu} thaws it once CRIU holds
     *         every process), so it cannot reconnect in between
     */
    private static boolean quiesceToolcalls(Optional<Gateway> gateway, Cgroup cgroup, Progress progress)
            throws AgentdException {
        if (gateway.isEmpty()) {
            return false;
        }
        Gateway g = gateway.get();
        try {
            long deadline = System.nanoTime() + CALLS_TIMEOUT.toNanos();
            while (true) {
                if (!g.hold(CALLS_TIMEOUT)) {
                    g.release();
                    throw new AgentdException(AgentdException.WRONG_STATE, "tool calls were still running after "
                            + CALLS_TIMEOUT.toSeconds() + " s; the agent goes on running: checkpoint it again later");
                }
                // Frozen, the agent cannot connect or send a request while its
                // connections are looked at and closed: none is lost with a
                // connection, and none is opened behind the check.
                int busy;
                boolean frozen = false;
                try {
                    if (cgroup != null) {
                        cgroup.freeze(FREEZE_TIMEOUT);
                        frozen = true;
                    }
                    busy = g.closeIdleConnections("checkpoint");
                } catch (IOException e) {
                    thawQuietly(cgroup, frozen);
                    g.release();
                    throw new AgentdException(AgentdException.INTERNAL, "cannot freeze the agent to close its tool-call"
                            + " connections: " + e.getMessage());
                } catch (InterruptedException | RuntimeException e) {
                    thawQuietly(cgroup, frozen);
                    throw e;
                }
                if (busy == 0) {
                    return frozen;
                }
                // A call arrived while held, or a connection is still being admitted: let it run, then try again.
                thawQuietly(cgroup, frozen);
                g.release();
                if (System.nanoTime() > deadline) {
                    throw new AgentdException(AgentdException.WRONG_STATE, "the agent kept " + busy + " tool-call"
                            + " connection(s) busy for " + CALLS_TIMEOUT.toSeconds() + " s (a request in them, or not yet"
                            + " admitted); it goes on running: checkpoint it again later");
                }
                progress.say("hold", busy + " tool-call connection(s) busy; letting their calls run, then again");
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            g.release();
            Thread.currentThread().interrupt();
            throw new AgentdException(AgentdException.INTERNAL, "interrupted while waiting for tool calls");
        }
    }

    private static void thawQuietly(Cgroup cgroup, boolean frozen) {
        if (!frozen || cgroup == null) {
            return;
        }
        try {
            cgroup.thaw();
        } catch (IOException e) {
            System.err.println("agentd: could not thaw " + cgroup.name() + ": " + e.getMessage());
        }
    }

    /**
     * A call waiting for a human's approval is a call in flight: the checkpoint
     * is taken between tool calls, so it is refused at once, naming the approval
     * (waiting for a person would hold the agent's other calls meanwhile). This is
     * also why a checkpoint never holds a pending approval to restore.
     */
    private void refuseWhileAwaitingApproval(AgentRecord a, Optional<Gateway> gateway) throws AgentdException {
        String pending = approvalsOf(a.id());
        if (!pending.equals("[]")) {
            gateway.ifPresent(Gateway::release);
            List<String> ids = new ArrayList<>();
            try {
                JSON.readTree(pending).forEach(x -> ids.add(x.path("id").asText() + " (" + x.path("tool").asText() + ")"));
            } catch (IOException e) {
                ids.add(pending);
            }
            throw new AgentdException(AgentdException.WRONG_STATE, "agent " + a.id() + " has a tool call waiting for"
                    + " approval: " + String.join(", ", ids) + "; approve or deny it (agentctl approve|deny ID), then"
                    + " checkpoint");
        }
    }

    /**
     * {@code criu dump} (or {@code pre-dump}) of the agent (PID 2 and its
     * descendants) from inside its namespaces, as its uid with the capabilities
     * CRIU's unprivileged mode needs; the images directory reaches it as
     * descriptor {@link #DUMP_IMAGES_FD}. A dump leaves the tree stopped (the
     * snapshots follow, then a resume or a kill); a pre-dump lets it run.
     *
     * @param prev the earlier images this dump's memory builds on, relative to
     *             {@code images} (the same from .partial-ID as from ID), or null
     * @param frozen the agent's cgroup when it is frozen (by the quiesce): thawed
     *             as soon as CRIU has stopped every process of the tree with ptrace
     *             (or after {@link #SEIZE_TIMEOUT}, or when CRIU ends), so the agent
     *             never runs between the tool-call check and the dump; null when not frozen
     */
    private void runCriu(String action, Criu criu, Supervisor.CheckpointTarget t, Path images, String prev,
            boolean trackMem, Progress progress, Cgroup frozen) throws IOException, AgentdException {
        AgentRecord a = t.record();
        boolean pre = action.equals("pre-dump");
        Path imagesFd = Path.of("/proc/self/fd/" + DUMP_IMAGES_FD);
        CriuCommand.Dump d = (pre ? CriuCommand.preDump(criu.path(), 2, imagesFd) : CriuCommand.dump(criu.path(), 2, imagesFd))
                .logFile(Path.of(pre ? "pre-dump.log" : "dump.log"))
                .manageCgroups("ignore")
                // On every dump where the kernel tracks dirty memory: a dump consults
                // earlier pages only with it (and leaves the bits reset for the next).
                .trackMem(trackMem);
        d.extra(pre ? new String[] {"--unprivileged"} : new String[] {"--unprivileged", "--leave-stopped"});
        if (prev != null) {
            d.prevImagesDir(prev);
        }
        String caps = String.join(",", Restore.CAPABILITIES.stream().map(c -> "+" + c).toList());
        List<String> argv = new ArrayList<>(List.of(SH.toString(), "-c",
                "exec " + DUMP_IMAGES_FD + "<\"$0\" || exit 126; exec \"$@\"", images.toString(),
                NSENTER.toString(), "-t", String.valueOf(a.initPid()), "-a",
                SETPRIV.toString(), "--reuid=" + a.uid(), "--regid=" + a.uid(), "--clear-groups",
                "--inh-caps=-all," + caps, "--ambient-caps=" + caps, "--"));
        argv.addAll(d.build());
        Path out = images.resolveSibling("criu.out");
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            thawQuietly(frozen, true);
            throw e;
        }
        long start = System.nanoTime();
        long said = start;
        try {
            // While the cgroup is frozen, CRIU's seize (PTRACE_SEIZE, PTRACE_INTERRUPT)
            // still stops each task (cgroup v2: a ptrace trap comes before the freezer's),
            // but its parasite cannot run until the thaw: looked at often, thawed once
            // every task is in a ptrace stop, when it no longer can run on its own.
            while (!p.waitFor(frozen != null ? 20 : 1000, TimeUnit.MILLISECONDS)) {
                long now = System.nanoTime();
                if (frozen != null) {
                    boolean held = heldByTracer(t.record().pid());
                    if (held || now - start > SEIZE_TIMEOUT.toNanos()) {
                        thawQuietly(frozen, true);
                        frozen = null;
                        progress.say(action, held ? "CRIU holds every process of the agent; thawed its cgroup"
                                : "CRIU has not stopped every process after " + SEIZE_TIMEOUT.toSeconds()
                                        + " s; thawed its cgroup anyway");
                    }
                }
                long elapsed = now - start;
                if (elapsed > DUMP_TIMEOUT.toNanos()) {
                    p.destroyForcibly().waitFor();
                    throw new IOException("criu " + action + " took longer than " + DUMP_TIMEOUT.toMinutes()
                            + " minutes and was killed");
                }
                if (now - said >= TimeUnit.SECONDS.toNanos(1)) {
                    said = now;
                    progress.say(action, TimeUnit.NANOSECONDS.toSeconds(elapsed) + " s, " + Snapshots.size(images) + " bytes of images");
                }
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while criu ran (" + action + ")");
        } finally {
            thawQuietly(frozen, true); // CRIU ended (or failed) before it held them all
        }
        if (p.exitValue() != 0) {
            Path logFile = images.resolve(pre ? "pre-dump.log" : "dump.log");
            String log = Files.exists(logFile) ? CriuLog.summary(logFile, 6)
                    : tail(out);
            if (log.isBlank()) {
                log = tail(out);
            }
            // nsenter passes on how its child ended: 128 + N is criu killed by signal N.
            String how = p.exitValue() > 128 ? "killed by signal " + (p.exitValue() - 128) : "exit " + p.exitValue();
            throw new AgentdException(AgentdException.INTERNAL, "criu " + action + " of agent " + a.id() + " failed (" + how
                    + "); the agent goes on running. CRIU says: " + log);
        }
    }

    /**
     * Whether a frozen cgroup's tasks stop for a tracer while frozen: cgroup v2
     * (its freezer is a trap a ptrace trap comes before). A v1 freezer holds a
     * task in the refrigerator, where PTRACE_INTERRUPT waits for the thaw.
     */
    static boolean seizesFrozen(Cgroup cgroup) {
        List<Path> dirs = cgroup.directories();
        return dirs.size() == 1 && Files.exists(dirs.get(0).resolve("cgroup.freeze"));
    }

    /**
     * Whether every thread of {@code pid} and its descendants (what CRIU dumps)
     * is stopped by a tracer: state {@code t} with a TracerPid, or ended. A
     * frozen tree does not change meanwhile.
     */
    static boolean heldByTracer(long pid) {
        java.util.ArrayDeque<Long> todo = new java.util.ArrayDeque<>(List.of(pid));
        while (!todo.isEmpty()) {
            long p = todo.poll();
            List<Path> tasks;
            try (var s = Files.list(Path.of("/proc/" + p + "/task"))) {
                tasks = s.toList();
            } catch (IOException e) {
                continue; // gone
            }
            for (Path task : tasks) {
                String state = null;
                long tracer = 0;
                try {
                    for (String l : Files.readAllLines(task.resolve("status"))) {
                        if (l.startsWith("State:")) {
                            state = l.substring(6).trim();
                        } else if (l.startsWith("TracerPid:")) {
                            tracer = Long.parseLong(l.substring(10).trim());
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    continue; // gone
                }
                boolean ended = state != null && (state.startsWith("Z") || state.startsWith("X"));
                if (!ended && (tracer == 0 || state == null || !state.startsWith("t"))) {
                    return false;
                }
                try {
                    for (String c : Files.readString(task.resolve("children")).trim().split("\\s+")) {
                        if (!c.isEmpty()) {
                            todo.add(Long.parseLong(c));
                        }
                    }
                } catch (IOException | NumberFormatException e) {
                    // gone
                }
            }
        }
        return true;
    }

    /** SIGCONT to every process of the agent's tree (not the init, which CRIU never stopped). */
    private static void resume(Supervisor.CheckpointTarget t) {
        List<Long> pids = new ArrayList<>();
        try {
            if (t.cgroup() != null) {
                pids.addAll(t.cgroup().pids());
            }
        } catch (IOException e) {
            // fall back to the agent itself
        }
        if (pids.isEmpty()) {
            pids.add((long) t.record().pid());
        }
        for (long pid : pids) {
            if (pid == t.record().initPid()) {
                continue;
            }
            try {
                ProcessSyscall.kill((int) pid, ProcessSyscall.SIGCONT);
            } catch (IOException e) {
                // gone
            }
        }
    }

    private CheckpointRecord latestTracked(AgentRecord a) throws AgentdException {
        CheckpointRecord best = null;
        for (CheckpointRecord c : list(a.id())) {
            if (c.trackedMemory() && c.agentId().equals(a.id()) && a.pidStartTicks() != null
                    && c.agentStart() == a.pidStartTicks() && Files.isDirectory(dir(c.id()))) {
                best = c;
            }
        }
        return best;
    }

    // ---- restore -----------------------------------------------------------------------

    /** Restores a checkpoint as a new agent: see {@link Supervisor#restore}. */
    AgentRecord restore(String checkpointId, String name, int actor, Progress progress) throws AgentdException {
        CheckpointRecord c = get(checkpointId);
        Path d = dir(c.id());
        for (String part : List.of("images", "workspace", "tmp", "agent.log")) {
            if (!Files.exists(d.resolve(part))) {
                throw new AgentdException(AgentdException.WRONG_STATE, "checkpoint " + c.id() + " is incomplete: " + d.resolve(part)
                        + " is missing");
            }
        }
        Criu criu;
        try {
            criu = Criu.locate(Optional.ofNullable(cfg.criu()));
        } catch (CriuException e) {
            throw new AgentdException(AgentdException.WRONG_STATE, "cannot restore: " + e.getMessage());
        }
        // Every image directory the memory chain may read: pre-dumps and parents.
        List<Path> parents = new ArrayList<>();
        for (CheckpointRecord k = c; k != null; k = k.parentId() == null ? null : get(k.parentId())) {
            if (k != c) {
                parents.add(dir(k.id()).resolve("images"));
            }
            if (Files.isDirectory(dir(k.id()).resolve(PRE_DUMP))) {
                parents.add(dir(k.id()).resolve(PRE_DUMP));
            }
        }
        List<String> restorer = CriuCommand.restore(criu.path(), Path.of("/proc/self/fd/" + Restore.IMAGES_FD))
                .logFile(Path.of("restore.log"))
                .detached()
                .manageCgroups("ignore")
                // The restored agent becomes a child of agentd, as after a spawn: its exit status is agentd's to read.
                .extra("--unprivileged", "--restore-sibling")
                .build();
        RestoreSource src = new RestoreSource(c.id(), c.manifest(), c.grants(), c.uid(), d.resolve("images"), parents,
                d.resolve("workspace"), d.resolve("tmp"), d.resolve("agent.log"), restorer,
                List.of(SH.toString(), "-c", PROBE, "agentd-probe", String.valueOf(c.uid())));
        progress.say("restore", "criu " + criu.version() + " restoring checkpoint " + c.id() + " of " + c.agentName());
        long t0 = System.nanoTime();
        try {
            AgentRecord r = supervisor.restore(src, name, actor);
            progress.say("done", "agent " + r.id() + " (" + r.name() + ") running again, pid " + r.pid() + ", in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            return r;
        } catch (AgentdException e) {
            Path log = d.resolve("images/restore.log");
            if (Files.exists(log) && e.getMessage().contains("restorer")) {
                throw new AgentdException(e.code(), e.getMessage() + ". CRIU says: " + CriuLog.summary(log, 6), e.data());
            }
            throw e;
        }
    }

    /**
     * The confinement probe, run by the spawner after a restore in the restored
     * agent's Landlock domain, as its uid ($1) with no capabilities. Each line
     * is "ok NAME" or "FAIL NAME: why"; any FAIL fails the restore.
     * <ul>
     * <li>uid: the probe is the agent's uid;
     * <li>same_domain: PID 2 (the agent) is visible: with hidepid, a process
     *     sees another only if it may ptrace it, and Landlock lets a domain
     *     ptrace only its own domain and those nested in it. An agent outside
     *     the domain (unconfined) would be invisible;
     * <li>landlock_denies: its own {@code /proc/self/comm}, which file permissions let it
 *     write, cannot be written: the domain's rule on {@code /proc} is read-only;
     * <li>init_hidden: PID 1 (outside the domain) is invisible and cannot be signalled.
     * </ul>
     */
    static final String PROBE = "fail=0; "
            + "if [ \"$(id -u)\" = \"$1\" ]; then echo 'ok uid'; else echo \"FAIL uid: $(id -u), expected $1\"; fail=1; fi; "
            + "if [ -r /proc/2/status ] && grep -q '^NSpid:' /proc/2/status; then echo 'ok same_domain';"
            + " else echo 'FAIL same_domain: the restored agent (PID 2) is not in this Landlock domain'; fail=1; fi; "
            + "if (echo probe > /proc/self/comm) 2>/dev/null; then echo 'FAIL landlock_denies: /proc/self/comm is writable';"
            + " fail=1; else echo 'ok landlock_denies'; fi; "
            + "if [ -e /proc/1/status ] || kill -0 1 2>/dev/null; then echo 'FAIL init_hidden: PID 1 is reachable'; fail=1;"
            + " else echo 'ok init_hidden'; fi; "
            + "exit $fail";

    // ---- catalog ----------------------------------------------------------------------------

    List<CheckpointRecord> list(String agent) throws AgentdException {
        try {
            return store.checkpoints(agent);
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
    }

    CheckpointRecord get(String id) throws AgentdException {
        try {
            Optional<CheckpointRecord> c = store.checkpoint(id);
            if (c.isEmpty()) {
                throw new AgentdException(AgentdException.NO_SUCH_AGENT, "no checkpoint " + id
                        + " (agentctl checkpoints lists them)");
            }
            return c.get();
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INTERNAL, e.getMessage());
        }
    }

    /** Removes a checkpoint; refused while a later incremental one builds on it. */
    CheckpointRecord remove(String id, int actor) throws AgentdException {
        synchronized (lock) {
            CheckpointRecord c = get(id);
            List<String> children = list(null).stream().filter(x -> id.equals(x.parentId())).map(CheckpointRecord::id).toList();
            if (!children.isEmpty()) {
                throw new AgentdException(AgentdException.WRONG_STATE, "checkpoint " + id + " holds memory that "
                        + String.join(", ", children) + " build(s) on: remove those first");
            }
            try {
                store.deleteCheckpoint(id);
                Snapshots.deleteTree(dir(id));
            } catch (IOException e) {
                throw new AgentdException(AgentdException.INTERNAL, "cannot remove checkpoint " + id + ": " + e.getMessage());
            }
            audit.record(actor, c.agentId(), "checkpoint.remove", Map.of("checkpoint", id));
            return c;
        }
    }

    /**
     * Writes one checkpoint to an archive file (see {@link CheckpointArchive}); an
     * incremental checkpoint cannot travel alone.
     */
    ObjectNode export(String id, Path file, int actor, Progress progress) throws AgentdException {
        CheckpointRecord c = get(id);
        if (c.parentId() != null) {
            throw new AgentdException(AgentdException.WRONG_STATE, "checkpoint " + id + " is incremental (its memory builds"
                    + " on " + c.parentId() + "): export a full checkpoint");
        }
        if (!file.isAbsolute()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "file: expected an absolute path, got " + file);
        }
        try {
            // Signed first: the signature travels in the archive, over the catalog entry and every file.
            CheckpointSignature.sign(dir(id), c.toJson(), CheckpointSignature.keyFile(cfg.secretsKey()));
            Map<String, Object> entry = JSON.convertValue(c.toJson(), new com.fasterxml.jackson.core.type.TypeReference<>() {});
            long[] last = {0};
            String sha = CheckpointArchive.export(dir(id), entry, file, (done, total) -> {
                if (done == total || done - last[0] >= (64L << 20)) {
                    last[0] = done;
                    progress.say("export", done + " of " + total + " bytes");
                }
            });
            audit.record(actor, c.agentId(), "checkpoint.export", Map.of("checkpoint", id, "file", file.toString(),
                    "manifest_sha256", sha));
            ObjectNode r = c.toJson();
            r.put("file", file.toString());
            r.put("archive_size_bytes", Files.size(file));
            r.put("manifest_sha256", sha);
            return r;
        } catch (IOException e) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "export of checkpoint " + id + " failed: " + e.getMessage());
        }
    }

    /**
     * Reads an archive into the catalog. A corrupted or edited archive is refused
     * whole (sizes and SHA-256 of every member); so is one whose checkpoint is
     * already here.
     */
    CheckpointRecord importFrom(Path file, int actor, Progress progress) throws AgentdException {
        if (!file.isAbsolute()) {
            throw new AgentdException(AgentdException.INVALID_PARAMS, "file: expected an absolute path, got " + file);
        }
        synchronized (lock) {
            Path staging = root().resolve(".import-" + newId());
            try {
                Files.createDirectories(root());
                CheckpointArchive.Imported imp = CheckpointArchive.importTo(file, staging, (done, total) -> {
                    if (done == total) {
                        progress.say("import", "verified " + total + " bytes");
                    }
                });
                CheckpointRecord c;
                try {
                    c = CheckpointRecord.fromJson(imp.catalogEntry());
                } catch (IllegalArgumentException e) {
                    throw new AgentdException(AgentdException.INVALID_PARAMS, file + ": catalog.json: " + e.getMessage());
                }
                if (store.checkpoint(c.id()).isPresent() || Files.exists(dir(c.id()))) {
                    throw new AgentdException(AgentdException.WRONG_STATE, "checkpoint " + c.id() + " is already here");
                }
                if (c.parentId() != null) {
                    throw new AgentdException(AgentdException.INVALID_PARAMS, file + ": an incremental checkpoint cannot"
                            + " be imported alone");
                }
                Path content = imp.imagesDir();
                if (!imp.catalogEntry().isObject()) {
                    throw new AgentdException(AgentdException.INVALID_PARAMS, file + ": catalog.json is not an object");
                }
                // Over the catalog entry exactly as it travelled, and every file.
                CheckpointSignature.verify(content, (ObjectNode) imp.catalogEntry(),
                        CheckpointSignature.keyFile(cfg.secretsKey()));
                for (String part : List.of("images", "workspace", "tmp", "agent.log")) {
                    if (!Files.exists(content.resolve(part), LinkOption.NOFOLLOW_LINKS)) {
                        throw new AgentdException(AgentdException.INVALID_PARAMS, file + ": not an agentd checkpoint ("
                                + part + " is missing)");
                    }
                }
                // The archive keeps no owners or modes: the checkpoint's record of them does.
                Snapshots.applyAttributes(content, SNAPSHOTS, c.uid());
                try {
                    Files.move(content, dir(c.id()), StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    throw new IOException("cannot move the imported checkpoint into place: " + e.getMessage(), e);
                }
                CheckpointRecord imported = c.withOrigin("imported");
                try {
                    store.putCheckpoint(imported);
                } catch (IOException e) {
                    Snapshots.deleteTree(dir(c.id()));
                    throw e;
                }
                audit.record(actor, c.agentId(), "checkpoint.import", Map.of("checkpoint", c.id(), "file", file.toString(),
                        "manifest_sha256", imp.manifestSha256()));
                return imported;
            } catch (IOException e) {
                throw new AgentdException(AgentdException.INVALID_PARAMS, "import of " + file + " refused: " + e.getMessage());
            } finally {
                deleteQuietly(staging);
            }
        }
    }

    ObjectNode json(CheckpointRecord c) {
        ObjectNode o = c.toJson();
        o.put("path", dir(c.id()).toString());
        return o;
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private Criu locate(int actor, AgentRecord a) throws AgentdException {
        try {
            return Criu.locate(Optional.ofNullable(cfg.criu()));
        } catch (CriuException e) {
            refuse(actor, a, e.getMessage());
            return null;
        }
    }

    private static boolean supports(Criu criu, String feature) {
        try {
            return criu.supports(feature);
        } catch (CriuException e) {
            return false;
        }
    }

    private void refuse(int actor, AgentRecord a, String why) throws AgentdException {
        audit.record(actor, a.id(), "checkpoint.refused", Map.of("reason", why));
        throw new AgentdException(AgentdException.WRONG_STATE, "cannot checkpoint " + a.id() + " (" + a.name() + "): " + why);
    }

    private String grantsOf(String agentId) {
        try {
            ObjectNode p = JSON.createObjectNode();
            p.put("id", agentId);
            JsonNode r = capsApi.dispatch("caps.list", p, 0);
            return r == null ? "null" : r.toString();
        } catch (AgentdException | RuntimeException e) {
            return "null";
        }
    }

    private String approvalsOf(String agentId) {
        try {
            JsonNode r = capsApi.dispatch("approval.list", JSON.createObjectNode(), 0);
            ArrayNode mine = JSON.createArrayNode();
            if (r != null) {
                for (JsonNode x : r.path("approvals")) {
                    if (agentId.equals(x.path("agent").asText())) {
                        mine.add(x);
                    }
                }
            }
            return mine.toString();
        } catch (AgentdException | RuntimeException e) {
            return "[]";
        }
    }

    private static String tail(Path file) {
        try {
            String s = Files.readString(file).strip();
            return s.length() > 600 ? "..." + s.substring(s.length() - 600) : s;
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Snapshots.deleteTree(dir);
        } catch (IOException e) {
            System.err.println("agentd: could not remove " + dir + ": " + e.getMessage());
        }
    }

    private static String newId() {
        return String.format("%08x", RANDOM.nextInt());
    }
}
