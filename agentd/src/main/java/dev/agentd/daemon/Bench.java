package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code agentd bench}: spawn latency through the admin API against
 * bubblewrap with equivalent isolation, in the same run; and how many idle
 * agents this machine holds, with agentd's memory per agent. Prints medians
 * and percentiles; asserts nothing.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure agentd against a peer in the same run and print medians and percentiles.",
            "spawn: spawn-to-exit of a trivial agent through the admin API (agent.spawn + agent.wait),",
            "       against `bwrap` running the same program with equivalent isolation.",
            "idle:  start N idle agents (sleep infinity, 32M, 8 pids): spawn latency of the first and last 200,",
            "       agentd's threads and live heap per agent, host memory per agent, teardown time, and a",
            "       search of every cgroup hierarchy for an agent cgroup left behind.",
            "audit: records/s of the audit log alone (group commit), 1..64 appending threads.",
            "toolcall: echo from inside sandboxes, 1..64 agents at once, against a raw Unix-socket echo:",
            "       p50/p90/p99 per call and aggregate calls/s."},
        footer = {"", "Runs a private agentd under a temporary directory; needs root.",
            "", "Exit status:", "  0  done", "  1  could not run"})
final class Bench implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--spawns", description = "Spawns per contender (default: ${DEFAULT-VALUE}; 0 skips).")
    int spawns = 200;

    @Option(names = "--idle", paramLabel = "N", description = "Idle agents to start (default: ${DEFAULT-VALUE}; 0 skips)."
            + " Each agent is two processes (its init and sleep): thousands may need a higher kernel.pid_max.")
    int idle = 100;

    @Option(names = "--warmup", description = "Unmeasured spawns first (default: ${DEFAULT-VALUE}).")
    int warmup = 20;

    @Option(names = "--toolcalls", description = "Echo round trips per agent from inside a sandbox, through the"
            + " agent's toolcall() socket (broker and audit log on) and through a raw Unix-socket echo"
            + " (default: ${DEFAULT-VALUE}; 0 skips).")
    int toolcalls = 2000;

    @Option(names = "--agents", split = ",", paramLabel = "N[,N...]",
            description = "Agent counts for the toolcall bench, each calling at once (default: ${DEFAULT-VALUE}).")
    int[] agents = {1, 4, 16, 64};

    @Option(names = "--audit-records", description = "Records appended to a fresh audit log alone, for each of"
            + " --audit-threads (default: ${DEFAULT-VALUE}; 0 skips).")
    int auditRecords = 20000;

    @Option(names = "--audit-threads", split = ",", paramLabel = "N[,N...]",
            description = "Appending threads for the audit log bench (default: ${DEFAULT-VALUE}).")
    int[] auditThreads = {1, 16, 64};

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        if (auditRecords > 0) {
            auditBench(out);
        }
        if (toolcalls > 0) {
            toolcallBench(out);
        }
        if (spawns == 0 && idle == 0) {
            return 0;
        }
        Path root = Files.createTempDirectory("agentd-bench");
        PrintStream audit = new PrintStream(OutputStream.nullOutputStream());
        DaemonConfig cfg = DaemonConfig.underRoot(root);
        try (Daemon d = Daemon.start(cfg, audit)) {
            Client c = new Client(d.socket());
            if (spawns > 0) {
                spawnBench(c, out);
            }
            if (idle > 0) {
                idleAgents(c, out);
            }
        }
        return 0;
    }

    private void spawnBench(Client c, PrintStream out) throws IOException, InterruptedException {
        {
            String trivial = "name: bench\ncommand: [/bin/true]\n";
            for (int i = 0; i < warmup; i++) {
                spawnAndWait(c, trivial);
            }
            long[] api = new long[spawns];
            for (int i = 0; i < spawns; i++) {
                long t0 = System.nanoTime();
                spawnAndWait(c, trivial);
                api[i] = System.nanoTime() - t0;
            }
            out.println("spawn-to-exit of /bin/true, " + spawns + " sequential spawns each, " + Runtime.getRuntime().availableProcessors() + " CPUs");
            out.println(row("agentd API (agent.spawn + agent.wait)", api));
            long[] bw = bwrap();
            if (bw != null) {
                out.println(row("bwrap (same isolation, fork+exec from the JVM)", bw));
                out.printf(Locale.ROOT, "ratio agentd/bwrap: median %.2f, p99 %.2f%n",
                        pct(api, 50) / pct(bw, 50), pct(api, 99) / pct(bw, 99));
            } else {
                out.println("bwrap not found: install bubblewrap for the comparison");
            }
        }
    }

    private static void spawnAndWait(Client c, String manifest) throws IOException {
        ObjectNode p = JSON.createObjectNode();
        p.put("manifest", manifest);
        JsonNode r = c.call("agent.spawn", p);
        ObjectNode w = JSON.createObjectNode();
        w.put("id", r.get("id").asText());
        w.put("timeout_seconds", 30);
        JsonNode done = c.call("agent.wait", w);
        if (!done.path("exit_code").isInt() || done.get("exit_code").asInt() != 0) {
            throw new IOException("bench agent failed: " + done);
        }
    }

    /**
     * bubblewrap with what agentd gives an agent: new pid, net, ipc, uts and
     * cgroup namespaces, a root of read-only system directories, private /tmp,
     * /dev and /proc, no capabilities, a new session, an unprivileged uid
     * (through a user namespace, bwrap's way), its own seccomp-free run.
     */
    private long[] bwrap() throws IOException, InterruptedException {
        Path bwrap = Path.of("/usr/bin/bwrap");
        if (!Files.isExecutable(bwrap)) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(bwrap.toString(), "--unshare-user", "--uid", "70000", "--gid", "70000",
                "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup",
                "--ro-bind", "/usr", "/usr"));
        for (String l : List.of("bin", "lib", "lib64", "sbin")) {
            Path p = Path.of("/" + l);
            if (Files.isSymbolicLink(p)) {
                cmd.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), "/" + l));
            } else if (Files.isDirectory(p)) {
                cmd.addAll(List.of("--ro-bind", "/" + l, "/" + l));
            }
        }
        cmd.addAll(List.of("--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc", "--cap-drop", "ALL",
                "--new-session", "--die-with-parent", "/bin/true"));
        for (int i = 0; i < warmup; i++) {
            runOnce(cmd);
        }
        long[] t = new long[spawns];
        for (int i = 0; i < spawns; i++) {
            long t0 = System.nanoTime();
            runOnce(cmd);
            t[i] = System.nanoTime() - t0;
        }
        return t;
    }

    private static void runOnce(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("bwrap failed (exit " + p.exitValue() + "): " + cmd);
        }
    }

    /** Spawn latencies compared at the start and at the end of an idle run. */
    static final int IDLE_WINDOW = 200;

    /**
     * {@code --idle N}: N idle agents ({@code sleep infinity}, 32M and 8 pids
     * each), spawned one after another; spawn latency of the first and the
     * last {@link #IDLE_WINDOW}, agentd's threads, its live heap per agent
     * (after a GC), the host's memory per agent (MemAvailable), the teardown
     * time; then every hierarchy is searched for an agent cgroup left behind.
     */
    private void idleAgents(Client c, PrintStream out) throws IOException, InterruptedException {
        System.gc();
        long heap0 = liveHeap();
        long avail0 = memAvailableKb();
        int threads0 = threads();
        List<String> ids = new ArrayList<>();
        long[] spawn = new long[idle];
        long t0 = System.nanoTime();
        for (int i = 0; i < idle; i++) {
            ObjectNode p = JSON.createObjectNode();
            p.put("manifest", "name: idle-" + i + "\ncommand: [/bin/sleep, infinity]\nresources:\n  memory: 32M\n  pids: 8\n");
            long s0 = System.nanoTime();
            ids.add(c.call("agent.spawn", p).get("id").asText());
            spawn[i] = System.nanoTime() - s0;
        }
        long took = System.nanoTime() - t0;
        int threads1 = threads();
        System.gc();
        long heap1 = liveHeap();
        long avail1 = memAvailableKb();
        long agentsMem = 0;
        for (JsonNode a : c.call("agent.list", JSON.createObjectNode()).get("agents")) {
            agentsMem += a.path("resources").path("memory_current").asLong(0);
        }
        int w = Math.min(IDLE_WINDOW, idle);
        long[] first = Arrays.copyOfRange(spawn, 0, w);
        long[] last = Arrays.copyOfRange(spawn, idle - w, idle);
        out.printf(Locale.ROOT, "%d idle agents (sleep infinity, 32M, 8 pids) spawned in %.1f s, %d CPUs%n", idle,
                took / 1e9, Runtime.getRuntime().availableProcessors());
        out.println(row("agent.spawn, first " + w, first));
        out.println(row("agent.spawn, last " + w, last));
        out.printf(Locale.ROOT, "spawn p50 last/first: %.2f%n", pct(last, 50) / pct(first, 50));
        out.printf(Locale.ROOT, "agentd threads: %d before, %d with %d idle agents%n", threads0, threads1, idle);
        out.printf(Locale.ROOT, "agentd live heap (after GC): %+.1f KiB per agent%n", (heap1 - heap0) / 1024.0 / idle);
        out.printf(Locale.ROOT, "host memory (MemAvailable): %+.1f KiB per agent; the agents' cgroups (init + sleep) hold"
                + " %.1f KiB each%n", (avail0 - avail1) / (double) idle, agentsMem / 1024.0 / idle);
        long k0 = System.nanoTime();
        for (String id : ids) {
            ObjectNode p = JSON.createObjectNode();
            p.put("id", id);
            p.put("signal", 9);
            c.call("agent.kill", p);
        }
        for (String id : ids) {
            ObjectNode p = JSON.createObjectNode();
            p.put("id", id);
            p.put("timeout_seconds", 120);
            c.call("agent.wait", p);
        }
        out.printf(Locale.ROOT, "teardown (agent.kill of each, then agent.wait of each): %.1f s%n",
                (System.nanoTime() - k0) / 1e9);
        List<Path> left = leftCgroups(ids);
        out.println(left.isEmpty() ? "agent cgroups left in any hierarchy: none"
                : "agent cgroups left: " + left.size() + ", e.g. " + left.subList(0, Math.min(5, left.size())));
    }

    /** Directories named {@code agent-<id>} of these agents anywhere under /sys/fs/cgroup. */
    private static List<Path> leftCgroups(List<String> ids) throws IOException {
        java.util.Set<String> names = new java.util.HashSet<>();
        ids.forEach(id -> names.add("agent-" + id));
        List<Path> left = new ArrayList<>();
        Path root = Path.of("/sys/fs/cgroup");
        if (!Files.isDirectory(root)) {
            return left;
        }
        Files.walkFileTree(root, java.util.EnumSet.noneOf(java.nio.file.FileVisitOption.class), 12,
                new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                            java.nio.file.attribute.BasicFileAttributes attrs) {
                        if (dir.getFileName() != null && names.contains(dir.getFileName().toString())) {
                            left.add(dir);
                            return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFile(Path file,
                            java.nio.file.attribute.BasicFileAttributes attrs) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }

                    @Override
                    public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) {
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
        return left;
    }

    /** Threads of this process (agentd runs in it), from /proc. */
    private static int threads() throws IOException {
        try (java.util.stream.Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        }
    }

    /** Heap in use after a full collection (what the collector kept alive). */
    private static long liveHeap() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return usedHeap();
    }

    private static long memAvailableKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
            if (l.startsWith("MemAvailable:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /**
     * The audit log alone: threads appending toolcall-sized records at once,
     * each waiting for its commit as a tool call does. Per-append latency and
     * records/s over the whole run.
     */
    private void auditBench(PrintStream out) throws Exception {
        Path dir = Files.createTempDirectory("agentd-auditbench");
        String details = "{\"tool\":\"echo\",\"args_sha256\":\"" + "ab".repeat(32) + "\",\"args_preview\":"
                + "\"{\\\"text\\\":\\\"hello\\\"}\",\"decision\":\"allowed\",\"grant\":1,\"duration_us\":100,"
                + "\"result_bytes\":80,\"on_behalf_of\":[\"agent:bench0001\",\"admin:0\"]}";
        out.println("audit log alone: " + auditRecords + " toolcall-sized records per run, each append waits for its commit");
        out.printf(Locale.ROOT, "  %-8s %10s %10s %10s %12s %12s%n", "threads", "p50 us", "p90 us", "p99 us", "records/s",
                "cpu us/rec");
        try {
            for (int threads : auditThreads) {
                Path db = dir.resolve("audit-" + threads + ".db");
                try (dev.agentd.audit.AuditLog log = dev.agentd.audit.AuditLog.open(db, dir.resolve("audit-" + threads + ".head"),
                        new PrintStream(OutputStream.nullOutputStream()))) {
                    int each = Math.max(1, auditRecords / threads);
                    long[] nanos = new long[each * threads];
                    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                    java.util.concurrent.atomic.AtomicReference<Exception> failed = new java.util.concurrent.atomic.AtomicReference<>();
                    List<Thread> ts = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        int base = t * each;
                        Thread th = new Thread(() -> {
                            try {
                                go.await();
                                for (int i = 0; i < each; i++) {
                                    long t0 = System.nanoTime();
                                    log.append(null, "bench0001", "toolcall", details);
                                    nanos[base + i] = System.nanoTime() - t0;
                                }
                            } catch (Exception e) {
                                failed.set(e);
                            }
                        });
                        th.start();
                        ts.add(th);
                    }
                    long cpu0 = processCpuNanos();
                    long t0 = System.nanoTime();
                    go.countDown();
                    for (Thread th : ts) {
                        th.join();
                    }
                    long wall = System.nanoTime() - t0;
                    long cpu = processCpuNanos() - cpu0;
                    if (failed.get() != null) {
                        throw failed.get();
                    }
                    out.printf(Locale.ROOT, "  %-8d %10.1f %10.1f %10.1f %12.0f %12.1f%n", threads, pct(nanos, 50) * 1000,
                            pct(nanos, 90) * 1000, pct(nanos, 99) * 1000, nanos.length / (wall / 1e9),
                            cpu / 1e3 / nanos.length);
                    if (!log.verify().ok()) {
                        throw new IOException("the bench's audit log does not verify: " + log.verify().problems());
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * toolcall() as an agent sees it: for each agent count, that many real
     * sandboxed agents call echo through their own socket with the project's
     * Python client (gateway, broker, audit record committed before each
     * answer), all at once; then the same agents do the same round trips,
     * with the same client code, against a raw Unix-socket line echo served
     * from this JVM (bound into their sandboxes read-only), which is the
     * floor: socket, wake-ups, JSON encoding and decoding in the client.
     */
    private void toolcallBench(PrintStream out) throws Exception {
        Path root = Files.createTempDirectory("agentd-toolbench");
        // The raw echo socket lives where the agents' uids can reach it.
        Path rawDir = Files.createTempDirectory("agentd-rawecho");
        Files.setPosixFilePermissions(rawDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Path raw = rawDir.resolve("raw.sock");
        java.nio.channels.ServerSocketChannel rawServer = rawEchoServer(raw);
        DaemonConfig cfg = DaemonConfig.underRoot(root);
        try (Daemon d = Daemon.start(cfg, new PrintStream(OutputStream.nullOutputStream()))) {
            Client c = new Client(d.socket());
            out.println("toolcall echo from inside sandboxes (Python client, one connection per agent, " + toolcalls
                    + " calls per agent after " + Math.max(1, toolcalls / 10) + " warm-up), "
                    + Runtime.getRuntime().availableProcessors() + " CPUs");
            out.printf(Locale.ROOT, "  %-7s %-28s %10s %10s %10s %12s %12s%n", "agents", "path", "p50 us", "p90 us", "p99 us",
                    "calls/s", "cpu us/call");
            for (int n : agents) {
                List<String> ids = new ArrayList<>();
                try {
                    for (int i = 0; i < n; i++) {
                        ObjectNode p = JSON.createObjectNode();
                        p.put("manifest", toolcallManifest("tcbench-" + n + "-" + i, rawDir, raw));
                        ids.add(c.call("agent.spawn", p).get("id").asText());
                    }
                    awaitFiles(c, cfg, ids, "ready");
                    Phase gw = phase(c, cfg, ids, "echo");
                    Phase rw = phase(c, cfg, ids, "raw");
                    out.println(gw.row(n, "gateway + broker + audit"));
                    out.println(rw.row(n, "raw Unix-socket echo"));
                    out.printf(Locale.ROOT, "  %-7s %-28s %10.1f %10.1f %10.1f %12.2f %12.1f%n", "", "ratio gateway/raw",
                            pct(gw.nanos, 50) / pct(rw.nanos, 50), pct(gw.nanos, 90) / pct(rw.nanos, 90),
                            pct(gw.nanos, 99) / pct(rw.nanos, 99), gw.rate() / rw.rate(), gw.cpuPerCall() / rw.cpuPerCall());
                } finally {
                    for (String id : ids) {
                        ObjectNode p = JSON.createObjectNode();
                        p.put("id", id);
                        p.put("signal", 9);
                        try {
                            c.call("agent.kill", p);
                        } catch (IOException e) {
                            // ended meanwhile
                        }
                        p.put("timeout_seconds", 30);
                        c.call("agent.wait", p);
                    }
                }
            }
        } finally {
            rawServer.close();
            Files.deleteIfExists(raw);
            Files.deleteIfExists(rawDir);
        }
    }

    /** The agent side of the toolcall bench: warm up, say ready, then one timed phase per go-file. */
    private static final String TOOLCALL_SCRIPT = """
            import json, os, socket, sys, time
            sys.path.insert(0, "/run/agentd")
            from agentd_toolcall import ToolcallClient
            n, raw_path = int(sys.argv[1]), sys.argv[2]
            args = {"text": "hello"}
            def wait(f):
                while not os.path.exists("/workspace/" + f):
                    time.sleep(0.002)
            def report(name, values):
                with open("/workspace/" + name + ".tmp", "w") as f:
                    f.write("".join("%d\\n" % v for v in values))
                os.rename("/workspace/" + name + ".tmp", "/workspace/" + name)
            tc = ToolcallClient()
            def echo_call():
                r = tc.call_tool("echo", args)
                if r.get("isError"):
                    raise SystemExit("echo failed: %r" % r)
            # The same client code against the raw echo: encode, send, read a line, decode.
            raw = ToolcallClient.__new__(ToolcallClient)
            raw.path, raw._buf, raw._next_id = raw_path, b"", 1
            raw._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            raw._sock.connect(raw_path)
            def raw_call():
                raw._sock.sendall(raw._line(raw._take_id(), "tools/call", {"name": "echo", "arguments": args}))
                json.loads(raw._read_line().decode("utf-8"))
            for _ in range(max(1, n // 10)):
                echo_call()
                raw_call()
            report("ready", [])
            for name, call in (("echo", echo_call), ("raw", raw_call)):
                wait("go-" + name)
                t = []
                clock = time.monotonic_ns
                start = clock()
                for _ in range(n):
                    t0 = clock()
                    call()
                    t.append(clock() - t0)
                report(name, [start, clock()] + t)
            wait("exit")
            """;

    private String toolcallManifest(String name, Path rawDir, Path raw) {
        ObjectNode m = JSON.createObjectNode();
        m.put("name", name);
        m.putArray("command").add("python3").add("-c").add(TOOLCALL_SCRIPT).add(Integer.toString(toolcalls))
                .add(raw.toString());
        m.putArray("capabilities").addObject().put("tool", "echo");
        // The agent's rate at its maximum, through the manifest's limits: the bench measures
        // the path (the limiter included), not the default limit of 200 calls per second.
        m.putObject("limits").put("toolcalls_per_second", dev.agentd.manifest.Limits.MAX_TOOLCALL_RATE)
                .put("toolcall_burst", dev.agentd.manifest.Limits.MAX_TOOLCALL_RATE);
        m.putObject("filesystem").putArray("read").add(rawDir + "/**");
        return m.toString(); // JSON is YAML
    }

    /** One timed phase of every agent at once: per-call latencies, and the wall time from the first start to the last end. */
    private record Phase(long[] nanos, long wallNanos, long cpuNanos) {
        double rate() {
            return nanos.length / (wallNanos / 1e9);
        }

        /** agentd's CPU (every thread: gateway, broker, audit; or the raw echo's) per call, in µs. */
        double cpuPerCall() {
            return cpuNanos / 1e3 / nanos.length;
        }

        String row(int agents, String path) {
            return String.format(Locale.ROOT, "  %-7d %-28s %10.1f %10.1f %10.1f %12.0f %12.1f", agents, path,
                    pct(nanos, 50) * 1000, pct(nanos, 90) * 1000, pct(nanos, 99) * 1000, rate(), cpuPerCall());
        }
    }

    /**
     * This JVM's CPU time so far. On a shared machine a call's latency is mostly
     * waiting for a core; the CPU it cost is what stays put from run to run.
     */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private Phase phase(Client c, DaemonConfig cfg, List<String> ids, String name) throws IOException, InterruptedException {
        long cpu0 = processCpuNanos();
        for (String id : ids) {
            Files.writeString(cfg.agentDir(id).resolve("workspace").resolve("go-" + name), "");
        }
        awaitFiles(c, cfg, ids, name);
        long cpu = processCpuNanos() - cpu0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        long[] all = new long[ids.size() * toolcalls];
        int k = 0;
        for (String id : ids) {
            List<String> lines = Files.readAllLines(cfg.agentDir(id).resolve("workspace").resolve(name));
            first = Math.min(first, Long.parseLong(lines.get(0)));
            last = Math.max(last, Long.parseLong(lines.get(1)));
            for (int i = 2; i < lines.size(); i++) {
                all[k++] = Long.parseLong(lines.get(i));
            }
        }
        return new Phase(Arrays.copyOf(all, k), last - first, cpu);
    }

    /** Waits until every agent has written {@code /workspace/<name>}; fails with its log if one ended instead. */
    private static void awaitFiles(Client c, DaemonConfig cfg, List<String> ids, String name)
            throws IOException, InterruptedException {
        for (String id : ids) {
            Path f = cfg.agentDir(id).resolve("workspace").resolve(name);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            long polls = 0;
            while (!Files.exists(f)) {
                // The agent's state only now and then: agent.status costs agentd CPU
                // the agents being measured would otherwise have.
                if (++polls % 200 != 0) {
                    Thread.sleep(5);
                    continue;
                }
                ObjectNode p = JSON.createObjectNode();
                p.put("id", id);
                JsonNode st = c.call("agent.status", p);
                if (!"running".equals(st.path("state").asText()) || System.nanoTime() > deadline) {
                    Path log = cfg.agentDir(id).resolve("agent.log");
                    throw new IOException("bench agent " + id + " did not reach " + name + ": " + st + "\n"
                            + (Files.exists(log) ? Files.readString(log) : "(no log)"));
                }
            }
        }
    }

    /** A raw line echo for any number of connections, one thread each; closing the server ends them. */
    private static java.nio.channels.ServerSocketChannel rawEchoServer(Path socket) throws IOException {
        java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Thread acceptor = new Thread(() -> {
            while (s.isOpen()) {
                SocketChannel ch;
                try {
                    ch = s.accept();
                } catch (IOException e) {
                    return;
                }
                Thread t = new Thread(() -> {
                    try (ch) {
                        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
                        while (ch.read(buf) >= 0) {
                            buf.flip();
                            while (buf.hasRemaining()) {
                                ch.write(buf);
                            }
                            buf.clear();
                        }
                    } catch (IOException e) {
                        // the agent is gone
                    }
                }, "raw-echo");
                t.setDaemon(true);
                t.start();
            }
        }, "raw-echo-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static long rssKb() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))] / 1e6;
    }

    private static String row(String name, long[] nanos) {
        return String.format(Locale.ROOT, "  %-50s median %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms",
                name, pct(nanos, 50), pct(nanos, 90), pct(nanos, 99), pct(nanos, 100));
    }

    /** A minimal admin client: one request, one response. */
    static final class Client {
        private final BufferedReader in;
        private final OutputStream out;
        private int next = 1;

        Client(Path socket) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            ch.connect(UnixDomainSocketAddress.of(socket));
            in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            out = Channels.newOutputStream(ch);
        }

        JsonNode call(String method, JsonNode params) throws IOException {
            ObjectNode req = JSON.createObjectNode();
            req.put("jsonrpc", "2.0");
            req.put("id", next++);
            req.put("method", method);
            req.set("params", params);
            out.write((JSON.writeValueAsString(req) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            while (true) {
                JsonNode resp = JSON.readTree(in.readLine());
                if (!resp.has("id")) {
                    continue;
                }
                if (resp.has("error")) {
                    throw new IOException(method + ": " + resp.get("error"));
                }
                return resp.get("result");
            }
        }
    }
}
