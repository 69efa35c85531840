package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.cgroups.CgroupManager;
import dev.agentd.spawner.Spawner;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * One running agentd: state, supervisor and admin socket. Agents outlive it:
 * {@link #close()} stops listening and leaves them running for the next
 * agentd to re-adopt.
 */
public final class Daemon implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DaemonConfig cfg;
    private final Store store;
    private final Supervisor supervisor;
    private final AdminServer admin;
    private final Instant started = Instant.now();
    private final ObjectNode kernel;
    /** Closed with the daemon, last first. Agents are not among them: they outlive agentd. */
    private final List<AutoCloseable> closeables = new java.util.ArrayList<>();

    private Daemon(DaemonConfig cfg, Store store, Supervisor supervisor, AdminServer admin, ObjectNode kernel) {
        this.cfg = cfg;
        this.store = store;
        this.supervisor = supervisor;
        this.admin = admin;
        this.kernel = kernel;
    }

    /**
     * Starts agentd: opens the state, re-adopts agents left running, listens
     * on the admin socket and starts the boot manifests.
     */
    public static Daemon start(DaemonConfig cfg, PrintStream log) throws IOException {
        if (!dev.agentd.linux.SocketPeer.isAvailable()) {
            // The toolcall gateway checks each caller's pid against its agent's
            // cgroup; without the pid it would have to trust the uid alone.
            throw new IOException("agentd needs the JVM option " + dev.agentd.linux.SocketPeer.JVM_FLAG
                    + " to read a toolcall peer's pid (the agentd launcher and agentd.jar's manifest set it)");
        }
        if (!Files.isExecutable(cfg.init())) {
            throw new IOException("the sandbox init " + cfg.init() + " is missing: install Debian's catatonit package"
                    + " (apt-get install catatonit) or set init: in agentd.yaml");
        }
        Files.createDirectories(cfg.stateDir());
        Files.createDirectories(cfg.runDir());
        Store store = Store.open(cfg.database());
        Audit audit = null;
        try {
            audit = new Audit(dev.agentd.audit.AuditLog.open(cfg.database(), cfg.stateDir().resolve("audit.head"), log));
            // Under systemd (Delegate=yes, cgroup v2) agents go beside agentd's leaf cgroup: see ServiceCgroup.
            CgroupManager cgroups = ServiceCgroup.manager(cfg.cgroupParent(), System.getenv());
            Spawner spawner = Spawner.create();
            Capabilities caps = Capabilities.open(cfg, audit);
            audit.chains(id -> caps.broker().chain(id).stream().map(Object::toString).toList());
            Supervisor sup = new Supervisor(cfg, store, audit, spawner, cgroups, new CompiledSeccompPolicy(), caps);
            McpServers mcp = new McpServers(cfg, store, audit);
            mcp.startAll(spawner, cgroups, new CompiledSeccompPolicy());
            Toolcalls toolcalls = new Toolcalls(cfg, caps, audit);
            List<dev.agentd.toolcall.Tool> extra = new java.util.ArrayList<>(AgentTools.all(sup));
            extra.addAll(mcp.tools());
            toolcalls.tools(extra, store);
            toolcalls.hide(mcp::hidden);
            sup.toolcalls(toolcalls);
            ObjectNode kernel = KernelReport.probe();
            if (cfg.criu() != null) {
                KernelReport.criu(kernel, cfg.criu());
            }
            Daemon[] self = new Daemon[1];
            CapsApi capsApi = new CapsApi(sup, caps, sup::grantsChanged, mcp);
            capsApi.toolcalls(toolcalls);
            AdminServer admin = new AdminServer(cfg.socket(), sup, audit, store, () -> self[0].status(), cfg.adminGroup(),
                    capsApi);
            admin.checkpoints(new Checkpoints(cfg, store, audit, sup, capsApi));
            self[0] = new Daemon(cfg, store, sup, admin, kernel);
            // Closed last of all: everything else may still write records while it closes.
            self[0].closeables.add(audit);
            self[0].closeables.add(sup);
            self[0].closeables.add(mcp);
            self[0].closeables.add(toolcalls);
            self[0].closeables.add(caps);
            sup.adoptAll();
            admin.start();
            audit.record(null, null, "daemon.start", java.util.Map.of("pid", ProcessHandle.current().pid(),
                    "socket", cfg.socket().toString(), "agents_adopted", sup.runningCount()));
            self[0].startBootManifests(log);
            return self[0];
        } catch (IOException | RuntimeException e) {
            if (audit != null) {
                audit.close();
            }
            store.close();
            throw e;
        }
    }

    private void startBootManifests(PrintStream log) {
        if (!Files.isDirectory(cfg.agentsDir())) {
            return;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(cfg.agentsDir())) {
            files = s.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList();
        } catch (IOException e) {
            System.err.println("agentd: cannot list " + cfg.agentsDir() + ": " + e.getMessage());
            return;
        }
        for (Path f : files) {
            try {
                supervisor.spawn(ClientFiles.readManifest(f), f.toString(), 0);
            } catch (AgentdException e) {
                // Already running (re-adopted), unreadable or invalid: say so, go on with the rest.
                System.err.println("agentd: boot manifest " + f + ": " + e.getMessage());
            }
        }
    }

    ObjectNode status() {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", Version.VERSION);
        o.put("pid", ProcessHandle.current().pid());
        o.put("uptime_seconds", Duration.between(started, Instant.now()).toSeconds());
        o.put("agents_running", supervisor.runningCount());
        o.put("state_dir", cfg.stateDir().toString());
        o.put("socket", cfg.socket().toString());
        o.put("heap_used_bytes", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        o.set("kernel", kernel);
        return o;
    }

    public Path socket() {
        return cfg.socket();
    }

    @Override
    public void close() {
        admin.close();
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.err.println("agentd: closing " + closeables.get(i).getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        store.close();
    }
}
