package dev.agentd.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.daemon.Daemon;
import dev.agentd.daemon.DaemonConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * A real agentd under a temporary root, and a client of its admin socket.
 *
 * <p>{@link #start()} runs agentd in this JVM ({@code Daemon.start}), so the
 * test JVM is agentd (its threads can be inspected) and agents are its
 * children. {@link #startProcess(Path)} runs it as a separate JVM, which a
 * test can SIGKILL and start again on the same root.
 *
 * <p>{@link #close()} kills every agent still running, stops agentd, removes
 * what is left of the daemon's cgroups and deletes the root.
 */
public final class AgentdHarness implements AutoCloseable {
    /** Default bound on waiting for one agent. */
    public static final long WAIT_SECONDS = 60;

    private final Path root;
    private final DaemonConfig config;
    private final AuditLog audit = new AuditLog();
    private Daemon daemon;
    private Process process;
    private Rpc rpc;
    private int generation;
    /** Put before agentd's command line when it is launched (e.g. a shell that moves it to another cgroup first). */
    private List<String> launchPrefix = List.of();

    private AgentdHarness(Path root) {
        this(root, java.util.function.UnaryOperator.identity());
    }

    private AgentdHarness(Path root, java.util.function.UnaryOperator<DaemonConfig> configure) {
        this.root = root;
        this.config = configure.apply(DaemonConfig.underRoot(root));
    }

    /** agentd in this JVM, under a fresh temporary root. */
    public static AgentdHarness start() throws IOException {
        return start(java.util.function.UnaryOperator.identity());
    }

    /** As {@link #start()}, with the embedded defaults changed by {@code configure}. */
    public static AgentdHarness start(java.util.function.UnaryOperator<DaemonConfig> configure) throws IOException {
        AgentdHarness h = new AgentdHarness(Dirs.temp("agentd-"), configure);
        try {
            h.daemon = Daemon.start(h.config, h.audit.stream());
            h.rpc = Rpc.connect(h.config.socket());
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    /** agentd as a separate process under {@code root} (fresh or left by an earlier one). */
    public static AgentdHarness startProcess(Path root) throws IOException {
        AgentdHarness h = new AgentdHarness(root);
        try {
            h.launchProcess();
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        return h;
    }

    private void launchProcess() throws IOException {
        generation++;
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path logs = Path.of(System.getProperty("user.dir")).resolve("target").resolve("it-logs");
        Files.createDirectories(logs);
        Path err = logs.resolve(root.getFileName() + "-agentd-" + generation + ".err");
        // --add-opens as agentd's launchers pass it: the toolcall gateway reads a peer's pid (SO_PEERCRED).
        List<String> command = new java.util.ArrayList<>(launchPrefix);
        command.addAll(List.of(java.toString(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-cp", cp, "dev.agentd.daemon.AgentdMain", "--root", root.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(false)
                .redirectError(err.toFile());
        process = pb.start();
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
        }, "agentd-stdout-" + generation);
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("agentd exited with " + process.exitValue() + " before listening: "
                        + Files.readString(err));
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
                CgroupDirs.sleep(50);
            }
        }
    }

    /** The separate agentd's process (only for {@link #startProcess}). */
    public Process process() {
        return process;
    }

    /** SIGKILLs the separate agentd and waits until it is gone. */
    public void killDaemonHard() throws Exception {
        if (rpc != null) {
            rpc.close();
            rpc = null;
        }
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("agentd " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** Starts a new separate agentd on the same root, after {@link #killDaemonHard()}. */
    public void restartProcess() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("agentd still running");
        }
        launchProcess();
    }

    /**
     * As {@link #restartProcess()}, with agentd started in the v1 cgroup
     * {@code dirs} (one per hierarchy; it is there before its first instruction)
     * instead of this JVM's.
     */
    public void restartProcessIn(List<Path> dirs) throws IOException {
        StringBuilder script = new StringBuilder();
        for (Path d : dirs) {
            script.append("echo $$ > '").append(d.resolve("cgroup.procs")).append("' || exit 125; ");
        }
        script.append("exec \"$@\"");
        launchPrefix = List.of("/bin/sh", "-c", script.toString(), "agentd-launch");
        try {
            restartProcess();
        } finally {
            launchPrefix = List.of();
        }
    }

    public Path root() {
        return root;
    }

    public DaemonConfig config() {
        return config;
    }

    public AuditLog audit() {
        return audit;
    }

    public Path socket() {
        return config.socket();
    }

    public String cgroupParent() {
        return config.cgroupParent();
    }

    /** The host directory of agent {@code id}: workspace, log. */
    public Path agentDir(String id) {
        return config.stateDir().resolve("agents").resolve(id);
    }

    public Path workspace(String id) {
        return agentDir(id).resolve("workspace");
    }

    /** A new connection to the admin socket; the caller closes it. */
    public Rpc client() throws IOException {
        return Rpc.connect(config.socket());
    }

    /**
     * Calls {@code method} on the harness's connection (reconnecting when an
     * earlier call timed out), bounded: agent.wait and agent.stop by their own
     * timeouts plus a margin, everything else by {@link Rpc#DEFAULT_TIMEOUT}.
     */
    public synchronized JsonNode call(String method, Map<String, ?> params) throws IOException {
        if (daemon == null && (process == null || !process.isAlive())) {
            throw new IllegalStateException("agentd is not running");
        }
        if (rpc == null || rpc.isClosed()) {
            rpc = Rpc.connect(config.socket());
        }
        Duration bound = Rpc.DEFAULT_TIMEOUT;
        Object t = "agent.wait".equals(method) ? params.get("timeout_seconds")
                : "agent.stop".equals(method) ? params.get("grace_seconds") : null;
        if (t instanceof Number n && n.longValue() > 0) {
            bound = Duration.ofSeconds(n.longValue() + 30);
        }
        return rpc.call(method, params, x -> {}, bound);
    }

    /** {@code agent.spawn} of manifest text; the agent record. */
    public JsonNode spawn(String yaml) throws IOException {
        return call("agent.spawn", Map.of("manifest", yaml));
    }

    public String spawnId(String yaml) throws IOException {
        return spawn(yaml).get("id").asText();
    }

    public JsonNode status(String id) throws IOException {
        return call("agent.status", Map.of("id", id));
    }

    /** {@code agent.wait}, bounded by {@link #WAIT_SECONDS}. */
    public JsonNode await(String id) throws IOException {
        return await(id, WAIT_SECONDS);
    }

    public JsonNode await(String id, long seconds) throws IOException {
        return call("agent.wait", Map.of("id", id, "timeout_seconds", seconds));
    }

    /** Spawns, waits for the exit, returns the final record. */
    public JsonNode run(String yaml) throws IOException {
        return await(spawnId(yaml));
    }

    public List<String> logs(String id) throws IOException {
        List<String> out = new ArrayList<>();
        call("agent.logs", Map.of("id", id, "tail", 100000)).path("lines").forEach(n -> out.add(n.asText()));
        return out;
    }

    /** Polls the agent's log until a line matches; fails after {@code timeout}. */
    public String awaitLog(String id, Predicate<String> line, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = logs(id);
            for (String l : lines) {
                if (line.test(l)) {
                    return l;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agent " + id + " did not log the expected line within " + timeout
                        + "; status " + status(id) + "; log:\n" + String.join("\n", lines));
            }
            CgroupDirs.sleep(50);
        }
    }

    public JsonNode stop(String id, int graceSeconds) throws IOException {
        return call("agent.stop", Map.of("id", id, "grace_seconds", graceSeconds));
    }

    /**
     * {@code agent.stop} on its own connection, bounded: agentd must answer
     * within {@code grace} plus its 10 s kill timeout, so {@code bound} beyond
     * that means agentd hangs. On a hang the agent is SIGKILLed (through the
     * cgroup) so the stuck request ends, and the test fails.
     */
    public JsonNode stopBounded(String id, int graceSeconds, Duration bound) throws Exception {
        return bounded("agent.stop", Map.of("id", id, "grace_seconds", graceSeconds), id, bound);
    }

    /** {@code agent.kill} on its own connection, bounded like {@link #stopBounded}. */
    public JsonNode killBounded(String id, int signal, Duration bound) throws Exception {
        return bounded("agent.kill", Map.of("id", id, "signal", signal), id, bound);
    }

    private JsonNode bounded(String method, Map<String, ?> params, String id, Duration bound) throws Exception {
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "harness-bounded-" + method);
            t.setDaemon(true);
            return t;
        });
        try (Rpc c = client()) {
            Future<JsonNode> f = ex.submit(() -> c.call(method, params, x -> {}, bound.plusSeconds(60)));
            try {
                return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                String threads = agentdThreadsDump();
                try {
                    killAndAwait(id);
                } catch (IOException | RuntimeException k) {
                    threads += "\n(and the SIGKILL to release it failed: " + k + ")";
                }
                throw new AssertionError(method + " " + params + " did not return within " + bound
                        + " (agentd hangs; the agent was SIGKILLed to release it)." + threads);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RpcException re) {
                    throw re;
                }
                throw e;
            }
        } finally {
            ex.shutdownNow();
        }
    }

    /** Stacks of agentd's own threads when it runs in this JVM (empty otherwise), for hang reports. */
    private String agentdThreadsDump() {
        if (daemon == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\nagentd threads:");
        Thread.getAllStackTraces().forEach((t, st) -> {
            if (t.getName().startsWith("agentd-")) {
                sb.append("\n  ").append(t.getName()).append(" ").append(t.getState());
                for (int i = 0; i < Math.min(8, st.length); i++) {
                    sb.append("\n      at ").append(st[i]);
                }
            }
        });
        return sb.toString();
    }

    /**
     * Ends a running agent with SIGKILL and returns its final record. Tolerates
     * agent.kill's internal error when the watcher removed the cgroup under
     * the kill (a known agentd race, covered by ApiErrorsIT) — the record
     * must still say the agent died of SIGKILL.
     */
    public JsonNode killAndAwait(String id) throws IOException {
        try {
            kill(id, 9);
        } catch (RpcException e) {
            if (e.code() != -32099) {
                throw e;
            }
        }
        return await(id, 30);
    }

    public JsonNode kill(String id, int signal) throws IOException {
        return call("agent.kill", Map.of("id", id, "signal", signal));
    }

    public List<JsonNode> list(boolean all) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        Map<String, Object> p = new LinkedHashMap<>();
        if (all) {
            p.put("all", true);
        }
        call("agent.list", p).path("agents").forEach(out::add);
        return out;
    }

    public JsonNode daemonStatus() throws IOException {
        return call("daemon.status", Map.of());
    }

    /** Kills and awaits every agent still running; errors are reported, not thrown. */
    public void killAll() {
        if (daemon == null && (process == null || !process.isAlive())) {
            return;
        }
        try {
            for (JsonNode a : list(false)) {
                String id = a.get("id").asText();
                try {
                    kill(id, 9);
                } catch (RpcException e) {
                    // ended meanwhile
                }
                try {
                    await(id, 20);
                } catch (RpcException e) {
                    System.err.println("harness: agent " + id + " did not end after SIGKILL: " + e);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("harness: could not stop agents: " + e);
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            if (rpc != null) {
                rpc.close();
                rpc = null;
            }
        } catch (IOException e) {
            // closing
        }
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
            // Kept for reading after a failure: target/it-logs/<root>.audit.jsonl
            Path logs = Path.of(System.getProperty("user.dir")).resolve("target").resolve("it-logs");
            Files.createDirectories(logs);
            Files.write(logs.resolve(root.getFileName() + ".audit.jsonl"), audit.lines());
        } catch (IOException e) {
            System.err.println("harness: could not save the audit log: " + e.getMessage());
        }
        List<String> left = CgroupDirs.sweep(config.cgroupParent(), Duration.ofSeconds(10));
        if (!left.isEmpty()) {
            System.err.println("harness: removed agent cgroups agentd left behind under " + config.cgroupParent() + ": " + left);
        }
        try {
            Dirs.deleteRecursively(root);
        } catch (IOException e) {
            System.err.println("harness: could not delete " + root + ": " + e.getMessage());
        }
    }
}
