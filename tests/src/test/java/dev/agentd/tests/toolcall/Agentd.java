package dev.agentd.tests.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.daemon.Daemon;
import dev.agentd.daemon.DaemonConfig;
import dev.agentd.tests.support.AuditLog;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Rpc;
import dev.agentd.tests.support.RpcException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real agentd under a temporary root for the toolcall tests: in this JVM
 * ({@link #inProcess()}) or as a separate JVM ({@link #process()}), and
 * restartable on the same root either way ({@link #restart()}, or
 * {@link #killHard()} then {@link #startAgain()}).
 *
 * <p>A copy of what this package needs from {@code dev.agentd.tests.support.AgentdHarness}
 * (which cannot restart an in-process agentd), reusing its small helpers.
 * {@link #close()} kills the agents still running, stops agentd, sweeps the
 * daemon's cgroups and deletes the root.
 */
final class Agentd implements AutoCloseable {
    static final long WAIT_SECONDS = 60;

    private final Path root;
    private final DaemonConfig config;
    private final AuditLog audit = new AuditLog();
    private final boolean separate;
    private Daemon daemon;
    private Process process;
    private Rpc rpc;
    private int generation;

    /**
     * Agents of these daemons get uids from their own range, apart from the
     * default one other test daemons on the same machine may use at the same time.
     */
    static final int UID_MIN = 76000;
    static final int UID_MAX = 76999;

    private final Path configFile;

    private Agentd(Path root, boolean separate, String extraConfig) throws IOException {
        this.root = root;
        this.separate = separate;
        // agentd.yaml with --root's layout, so agentd.yaml's other keys (LLM providers) can be given too.
        DaemonConfig under = DaemonConfig.underRoot(root);
        this.configFile = root.resolve("agentd.yaml");
        Files.writeString(configFile, "state_dir: " + under.stateDir() + "\n"
                + "run_dir: " + under.runDir() + "\n"
                + "socket: " + under.socket() + "\n"
                + "agents_dir: " + under.agentsDir() + "\n"
                + "secrets_key: " + under.secretsKey() + "\n"
                + "cgroup_parent: " + under.cgroupParent() + "\n"
                + "uid_min: " + UID_MIN + "\n"
                + "uid_max: " + UID_MAX + "\n"
                + (extraConfig == null ? "" : extraConfig.stripTrailing() + "\n"));
        this.config = DaemonConfig.load(configFile);
    }

    /** agentd in this JVM ({@code Daemon.start}); the test JVM is agentd and agents are its children. */
    static Agentd inProcess() throws IOException {
        return inProcess(null);
    }

    /** As {@link #inProcess()}, with more agentd.yaml settings ({@code llm_providers: ...}). */
    static Agentd inProcess(String extraConfig) throws IOException {
        return started(new Agentd(Dirs.temp("tc-agentd-"), false, extraConfig));
    }

    /** agentd as a separate JVM ({@code AgentdMain --config}), which a test can SIGKILL. */
    static Agentd process() throws IOException {
        return started(new Agentd(Dirs.temp("tc-agentd-"), true, null));
    }

    private static Agentd started(Agentd a) throws IOException {
        try {
            a.startAgain();
        } catch (IOException | RuntimeException e) {
            a.close();
            throw e;
        }
        return a;
    }

    /** Starts agentd on this root (the first time, or after {@link #killHard()} / {@link #stop()}). */
    void startAgain() throws IOException {
        if (daemon != null || (process != null && process.isAlive())) {
            throw new IllegalStateException("agentd is running");
        }
        generation++;
        if (!separate) {
            daemon = Daemon.start(config, audit.stream());
            rpc = Rpc.connect(config.socket());
            return;
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path logs = Path.of(System.getProperty("user.dir")).resolve("target").resolve("it-logs");
        Files.createDirectories(logs);
        Path err = logs.resolve(root.getFileName() + "-agentd-" + generation + ".err");
        // The gateway's peer pid check needs the flag the agentd jar's manifest carries (Add-Opens).
        process = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", cp,
                "dev.agentd.daemon.AgentdMain", "--config", configFile.toString())
                .redirectError(err.toFile()).start();
        process.getOutputStream().close();
        Process p = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    audit.add(l);
                }
            } catch (IOException e) {
                // agentd died
            }
        }, "tc-agentd-stdout-" + generation);
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("agentd exited with " + process.exitValue() + " before listening: " + Files.readString(err));
            }
            try {
                rpc = Rpc.connect(config.socket());
                rpc.call("daemon.status", Map.of());
                return;
            } catch (IOException e) {
                if (rpc != null) {
                    rpc.close();
                    rpc = null;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("agentd did not answer on " + config.socket() + " within 60 s", e);
                }
                sleep(50);
            }
        }
    }

    /**
     * Stops agentd the way an admin does, leaving the agents running: {@code Daemon.close()}
     * in this JVM, SIGTERM (whose shutdown hook calls it) for a separate one.
     */
    void stop() throws Exception {
        closeRpc();
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("agentd " + process.pid() + " did not stop within 30 s of SIGTERM");
            }
        }
    }

    /** {@link #stop()}, then a new agentd on the same root, which re-adopts the agents. */
    void restart() throws Exception {
        stop();
        startAgain();
    }

    /** SIGKILLs the separate agentd and waits until it is gone. */
    void killHard() throws Exception {
        if (!separate) {
            throw new IllegalStateException("an in-process agentd cannot be SIGKILLed");
        }
        closeRpc();
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("agentd " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    Process osProcess() {
        return process;
    }

    Path root() {
        return root;
    }

    DaemonConfig config() {
        return config;
    }

    AuditLog audit() {
        return audit;
    }

    String cgroupParent() {
        return config.cgroupParent();
    }

    Path agentDir(String id) {
        return config.stateDir().resolve("agents").resolve(id);
    }

    Path workspace(String id) {
        return agentDir(id).resolve("workspace");
    }

    Path logFile(String id) {
        return agentDir(id).resolve("agent.log");
    }

    /** The host path of an agent's toolcall socket ({@code /run/agentd/toolcall.sock} inside). */
    Path toolcallSocket(String id) {
        return config.runDir().resolve("agents").resolve(id).resolve("toolcall.sock");
    }

    Path database() {
        return config.stateDir().resolve("agentd.db");
    }

    synchronized JsonNode call(String method, Map<String, ?> params) throws IOException {
        if (rpc == null) {
            throw new IllegalStateException("agentd is not running");
        }
        return rpc.call(method, params);
    }

    JsonNode spawn(String yaml) throws IOException {
        return call("agent.spawn", Map.of("manifest", yaml));
    }

    JsonNode status(String id) throws IOException {
        return call("agent.status", Map.of("id", id));
    }

    JsonNode await(String id, long seconds) throws IOException {
        return call("agent.wait", Map.of("id", id, "timeout_seconds", seconds));
    }

    /** {@code caps.list} of an agent. */
    JsonNode caps(String id) throws IOException {
        return call("caps.list", Map.of("id", id));
    }

    /** The agent's grant of {@code kind} naming {@code value} (its first, by id). */
    JsonNode grant(String id, String kind, String value) throws IOException {
        for (JsonNode g : caps(id).path("grants")) {
            if (kind.equals(g.path("kind").asText()) && value.equals(g.path("value").asText())) {
                return g;
            }
        }
        throw new AssertionError("agent " + id + " holds no " + kind + ": " + value + " grant: " + caps(id));
    }

    /** {@code audit.list} records (of one agent when {@code agentId} is not null). */
    List<JsonNode> auditRecords(String agentId) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        call("audit.list", agentId == null ? Map.of() : Map.of("agent", agentId)).path("records").forEach(out::add);
        return out;
    }

    JsonNode auditVerify() throws IOException {
        return call("audit.verify", Map.of());
    }

    /** Kills and awaits every agent still running; errors are reported, not thrown. */
    void killAll() {
        if (rpc == null) {
            return;
        }
        try {
            for (JsonNode a : call("agent.list", Map.of()).path("agents")) {
                String id = a.get("id").asText();
                try {
                    call("agent.kill", Map.of("id", id, "signal", 9));
                } catch (RpcException e) {
                    // ended meanwhile
                }
                try {
                    await(id, 20);
                } catch (RpcException e) {
                    System.err.println("tc-agentd: agent " + id + " did not end after SIGKILL: " + e);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("tc-agentd: could not stop agents: " + e);
        }
    }

    private void closeRpc() {
        if (rpc != null) {
            try {
                rpc.close();
            } catch (IOException e) {
                // closing
            }
            rpc = null;
        }
    }

    @Override
    public void close() {
        killAll();
        closeRpc();
        if (daemon != null) {
            daemon.close();
            daemon = null;
        }
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(15, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Path logs = Path.of(System.getProperty("user.dir")).resolve("target").resolve("it-logs");
            Files.createDirectories(logs);
            Files.write(logs.resolve(root.getFileName() + ".audit.jsonl"), audit.lines());
        } catch (IOException e) {
            System.err.println("tc-agentd: could not save the audit log: " + e.getMessage());
        }
        thawAll();
        List<String> left = CgroupDirs.sweep(config.cgroupParent(), Duration.ofSeconds(10));
        if (!left.isEmpty()) {
            System.err.println("tc-agentd: removed agent cgroups agentd left behind: " + left);
        }
        try {
            Dirs.deleteRecursively(root);
        } catch (IOException e) {
            System.err.println("tc-agentd: could not delete " + root + ": " + e.getMessage());
        }
    }

    /**
     * Thaws every frozen cgroup below this daemon's parent: a process SIGKILLed
     * while frozen dies only once thawed, and the sweep that follows could not
     * end it otherwise (a kill interrupted half-way leaves its group FROZEN).
     */
    private void thawAll() {
        for (Path p : CgroupDirs.parents(config.cgroupParent())) {
            if (!p.startsWith(CgroupDirs.ROOT.resolve("freezer"))) {
                continue;
            }
            try (var s = Files.walk(p)) {
                for (Path state : s.filter(x -> x.getFileName().toString().equals("freezer.state")).toList()) {
                    if (!CgroupDirs.read(state).equals("THAWED")) {
                        System.err.println("tc-agentd: thawing " + state.getParent() + " (" + CgroupDirs.read(state) + ")");
                        Files.writeString(state, "THAWED");
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("tc-agentd: could not thaw below " + p + ": " + e);
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
