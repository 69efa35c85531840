package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentctl top}: running agents with their CPU, memory, tasks and tool calls, refreshed. */
@Command(name = "top",
        mixinStandardHelpOptions = true,
        header = "Show running agents' CPU, memory, tasks and tool calls per second, refreshed.",
        description = {
            "Asks agentd for its running agents every --delay seconds and prints one table per round: "
                    + "ID NAME CPU%% MEM PIDS CALLS/S. CPU%% is the CPU time the agent's cgroup used over "
                    + "the last interval (100%% is one core; more with several), MEM its memory now, PIDS its "
                    + "tasks, CALLS/S the tool calls agentd handled for it per second over the interval. "
                    + "Rates need two samples, so the first table comes after one interval.",
            "",
            "On a terminal the screen is redrawn each round, as top(1) does; otherwise the tables follow "
                    + "each other, separated by a blank line. It runs until interrupted (Ctrl-C), or for "
                    + "--iterations rounds.",
            "",
            "With --json, one snapshot and exit: {\"interval_seconds\": ..., \"agents\": [{\"id\", \"name\", "
                    + "\"cpu_percent\", \"memory_bytes\", \"pids\", \"toolcalls_per_second\", \"toolcalls\"}]}."},
        footer = {
            "%nEXAMPLES",
            "  agentctl top",
            "  agentctl top -d 5 -n 3 > top.log",
            "  agentctl top --json | jq '.agents | sort_by(-.cpu_percent) | .[0].name'"})
final class TopCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    @Mixin
    private CommonOptions common;

    @Option(names = {"-d", "--delay"}, paramLabel = "SECONDS", defaultValue = "2",
            description = "Seconds between samples. Default: ${DEFAULT-VALUE}.")
    private double delay;

    @Option(names = {"-n", "--iterations"}, paramLabel = "N",
            description = "Print N tables, then exit. Default: until interrupted.")
    private Integer iterations;

    /** One agent's numbers over one interval. */
    record Row(String id, String name, Double cpuPercent, Long memoryBytes, Long pids, Double callsPerSecond,
               Long calls) {}

    @Override
    public Integer call() throws Exception {
        if (!(delay > 0) || delay > 86_400) {
            throw new CliException(ExitCodes.USAGE, "--delay must be more than 0 and at most 86400 seconds, not " + delay);
        }
        if (iterations != null && iterations < 1) {
            throw new CliException(ExitCodes.USAGE, "--iterations must be 1 or more, not " + iterations);
        }
        int rounds = common.json() ? 1 : iterations == null ? Integer.MAX_VALUE : iterations;
        boolean redraw = !common.json() && System.console() != null;
        try (AdminClient agentd = common.connect()) {
            List<Agent> before = agentd.list(false).agents();
            long beforeNanos = System.nanoTime();
            for (int round = 0; round < rounds; round++) {
                Thread.sleep(Math.max(1, (long) (delay * 1000)));
                List<Agent> now = agentd.list(false).agents();
                long nowNanos = System.nanoTime();
                List<Row> rows = rows(before, now, nowNanos - beforeNanos);
                if (common.json()) {
                    common.printJson(json(rows, (nowNanos - beforeNanos) / 1e9));
                } else {
                    String table = header(rows, common.now()) + table(rows);
                    if (redraw) {
                        // Home the cursor, clear the screen: as top(1) redraws.
                        common.out().print("\033[H\033[2J");
                    } else if (round > 0) {
                        common.out().println();
                    }
                    common.out().print(table);
                    common.out().flush();
                    if (common.out().checkError() || System.out.checkError()) {
                        throw new OutputClosedException();
                    }
                }
                before = now;
                beforeNanos = nowNanos;
            }
        }
        return ExitCodes.OK;
    }

    /**
     * The rows for the agents in {@code now}, rates over {@code elapsedNanos}
     * from their values in {@code before}; null rates for an agent that was
     * not in {@code before} (it just started) or whose counters went back (a
     * restart: a new cgroup).
     */
    static List<Row> rows(List<Agent> before, List<Agent> now, long elapsedNanos) {
        Map<String, Agent> prev = new HashMap<>();
        before.forEach(a -> prev.put(a.id(), a));
        double seconds = elapsedNanos / 1e9;
        List<Row> rows = new ArrayList<>();
        for (Agent a : now) {
            Agent p = prev.get(a.id());
            Double cpu = null;
            Double calls = null;
            if (p != null && seconds > 0) {
                cpu = rate(p.cpuUsageUsec(), a.cpuUsageUsec(), seconds * 1e6, 100);
                calls = rate(p.toolcalls(), a.toolcalls(), seconds, 1);
            }
            rows.add(new Row(a.id(), a.name(), cpu, a.memoryCurrent(), a.pidsCurrent(), calls, a.toolcalls()));
        }
        return rows;
    }

    private static Double rate(Long from, Long to, double per, double scale) {
        if (from == null || to == null || to < from) {
            return null;
        }
        return (to - from) / per * scale;
    }

    static String header(List<Row> rows, Instant now) {
        double cpu = rows.stream().mapToDouble(r -> r.cpuPercent() == null ? 0 : r.cpuPercent()).sum();
        long mem = rows.stream().mapToLong(r -> r.memoryBytes() == null ? 0 : r.memoryBytes()).sum();
        return String.format(Locale.ROOT, "agentctl top - %s UTC - %d agent%s running, CPU %.1f%%, memory %s%n%n",
                CLOCK.format(now), rows.size(), rows.size() == 1 ? "" : "s", cpu, Human.bytes(mem));
    }

    static String table(List<Row> rows) {
        List<String[]> t = new ArrayList<>();
        t.add(new String[] {"ID", "NAME", "CPU%", "MEM", "PIDS", "CALLS/S"});
        for (Row r : rows) {
            t.add(new String[] {r.id(), r.name(),
                r.cpuPercent() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.cpuPercent()),
                r.memoryBytes() == null ? "-" : Human.bytes(r.memoryBytes()),
                r.pids() == null ? "-" : Long.toString(r.pids()),
                r.callsPerSecond() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.callsPerSecond())});
        }
        return Human.columns(t);
    }

    static ObjectNode json(List<Row> rows, double intervalSeconds) {
        ObjectNode o = Json.object().put("interval_seconds", Math.round(intervalSeconds * 1000) / 1000.0);
        ArrayNode a = o.putArray("agents");
        for (Row r : rows) {
            ObjectNode x = a.addObject().put("id", r.id()).put("name", r.name());
            putNumber(x, "cpu_percent", r.cpuPercent() == null ? null : Math.round(r.cpuPercent() * 10) / 10.0);
            putNumber(x, "memory_bytes", r.memoryBytes());
            putNumber(x, "pids", r.pids());
            putNumber(x, "toolcalls_per_second",
                    r.callsPerSecond() == null ? null : Math.round(r.callsPerSecond() * 100) / 100.0);
            putNumber(x, "toolcalls", r.calls());
        }
        return o;
    }

    private static void putNumber(ObjectNode o, String key, Number n) {
        if (n == null) {
            o.putNull(key);
        } else if (n instanceof Double d) {
            o.put(key, d);
        } else {
            o.put(key, n.longValue());
        }
    }
}
