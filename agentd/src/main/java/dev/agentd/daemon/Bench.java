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
            "       search of every cgroup hierarchy for an agent cgroup left behind."},
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

    @Option(names = "--toolcalls", description = "No-op echo round trips through a gateway with the broker and the"
            + " audit log on, and through a raw Unix-socket echo (default: ${DEFAULT-VALUE}; 0 skips).")
    int toolcalls = 5000;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
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
     * The real toolcall path — gateway, broker check and consumption, audit
     * record in SQLite and its hash chain — minus the sandbox (the client
     * runs here, as the socket's owner), against a raw line echo.
     */
    private void toolcallBench(PrintStream out) throws Exception {
        Path root = Files.createTempDirectory("agentd-toolbench");
        DaemonConfig cfg = DaemonConfig.underRoot(root);
        try (Store store = Store.open(cfg.database())) {
            Audit audit = new Audit(store, new PrintStream(OutputStream.nullOutputStream()), cfg.stateDir().resolve("audit.head"));
            try (Capabilities caps = Capabilities.open(cfg, audit); Toolcalls tc = new Toolcalls(cfg, caps, audit)) {
                tc.tools(List.of(), store);
                // No agent rate limit: the bench measures the path, not the limiter.
                tc.limits(dev.agentd.toolcall.GatewayLimits.builder().agentRate(null).build());
                dev.agentd.manifest.Manifest m = dev.agentd.manifest.ManifestParser.parse(
                        "name: bench\ncommand: [/bin/true]\ncapabilities:\n  - tool: echo\n", "bench");
                caps.register("bench0001", m, 0, java.time.Instant.now());
                int uid = (Integer) Files.getAttribute(root, "unix:uid");
                tc.open("bench0001", uid, m, pid -> true);
                String req = "{\"jsonrpc\":\"2.0\",\"id\":ID,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                        + "\"arguments\":{\"text\":\"hello\"}}}\n";
                long[] gw = roundTrips(tc.hostSocket("bench0001"), req, toolcalls, true);
                Path raw = root.resolve("raw.sock");
                Thread echo = rawEcho(raw);
                long[] rw = roundTrips(raw, req, toolcalls, false);
                echo.interrupt();
                out.println("toolcall round trip of a no-op echo, " + toolcalls + " sequential calls each");
                out.println(rowMicros("gateway + broker + audit (SQLite, hash chain)", gw));
                out.println(rowMicros("raw Unix-socket line echo", rw));
                out.printf(Locale.ROOT, "ratio gateway/raw: median %.1f, p99 %.1f; throughput %.0f vs %.0f calls/s%n",
                        pct(gw, 50) / pct(rw, 50), pct(gw, 99) / pct(rw, 99), rate(gw), rate(rw));
            }
        }
    }

    private static double rate(long[] nanos) {
        return nanos.length / (Arrays.stream(nanos).sum() / 1e9);
    }

    /** {@code n} sequential round trips of {@code request}, its {@code ID} replaced by a fresh number each time. */
    private static long[] roundTrips(Path socket, String request, int n, boolean mcp) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            OutputStream w = Channels.newOutputStream(ch);
            BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            int id = 0;
            for (int i = 0; i < n / 10; i++) {
                w.write(request.replace("ID", Integer.toString(++id)).getBytes(StandardCharsets.UTF_8));
                r.readLine();
            }
            long[] t = new long[n];
            for (int i = 0; i < n; i++) {
                byte[] line = request.replace("ID", Integer.toString(++id)).getBytes(StandardCharsets.UTF_8);
                long t0 = System.nanoTime();
                w.write(line);
                String resp = r.readLine();
                if (resp == null) {
                    throw new IOException("connection closed");
                }
                t[i] = System.nanoTime() - t0;
                if (mcp && !resp.contains("\"isError\":false")) {
                    throw new IOException("the bench's calls failed: " + resp);
                }
            }
            return t;
        }
    }

    private static Thread rawEcho(Path socket) throws IOException {
        java.nio.channels.ServerSocketChannel s = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            try (s; SocketChannel c = s.accept()) {
                BufferedReader r = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                OutputStream w = Channels.newOutputStream(c);
                String line;
                while ((line = r.readLine()) != null) {
                    w.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // done
            }
        }, "raw-echo");
        t.setDaemon(true);
        t.start();
        return t;
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

    private static String rowMicros(String name, long[] nanos) {
        return String.format(Locale.ROOT, "  %-50s median %8.1f us  p90 %8.1f us  p99 %8.1f us  max %8.1f us",
                name, pct(nanos, 50) * 1000, pct(nanos, 90) * 1000, pct(nanos, 99) * 1000, pct(nanos, 100) * 1000);
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
