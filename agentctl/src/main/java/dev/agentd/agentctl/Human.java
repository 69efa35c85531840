package dev.agentd.agentctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Human-readable renderings: units, durations, the agent table, key: value
 * blocks.
 *
 * <p>Kept apart from the commands so each command stays a few lines and the
 * exact layout is tested in one place. Everything takes "now" as an argument
 * so output is reproducible in tests.
 */
final class Human {
    /** Width of the key column in key: value blocks (longest key plus padding). */
    private static final int KEY_WIDTH = 15;
    private static final String NONE = "-";

    private Human() {}

    /** IEC units, as {@code free -h} and cgroup tooling use: {@code 512 B}, {@code 120.6 KiB}. */
    static String bytes(Long n) {
        if (n == null) {
            return "unknown";
        }
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Coarse duration for uptimes: {@code 42s}, {@code 3m12s}, {@code 2h03m}, {@code 3d04h}. */
    static String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02ds", s % 60);
        }
        if (s < 86400) {
            return (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", s % 3600 / 60);
        }
        return (s / 86400) + "d" + String.format(Locale.ROOT, "%02dh", s % 86400 / 3600);
    }

    /** CPU time from microseconds, precise where it is small: {@code 850us}, {@code 1.2ms}, {@code 4.21s}, {@code 3m12s}. */
    static String cpu(Long usec) {
        if (usec == null) {
            return "unknown";
        }
        if (usec < 1000) {
            return usec + "us";
        }
        if (usec < 1_000_000) {
            return String.format(Locale.ROOT, "%.1fms", usec / 1000.0);
        }
        if (usec < 60_000_000) {
            return String.format(Locale.ROOT, "%.2fs", usec / 1_000_000.0);
        }
        return duration(Duration.ofNanos(usec * 1000));
    }

    /** Short form for the table: {@code exit 0}, {@code SIGKILL}, {@code failed}. */
    static String ending(Agent a) {
        if (a.exitCode() != null) {
            return "exit " + a.exitCode();
        }
        if (a.exitSignal() != null) {
            return Signals.name(a.exitSignal());
        }
        return a.state() == null ? NONE : a.state();
    }

    /** Long form: {@code exited with code 0}, {@code killed by SIGKILL (9)}. */
    static String endingLong(Agent a) {
        if (a.exitCode() != null) {
            return "exited with code " + a.exitCode();
        }
        if (a.exitSignal() != null) {
            return "killed by " + Signals.name(a.exitSignal()) + " (" + a.exitSignal() + ")";
        }
        return Agent.FAILED.equals(a.state()) ? "failed before it could run" : "ended";
    }

    /** The UPTIME/EXIT column: uptime while alive, how it ended once finished. */
    static String uptimeOrExit(Agent a, Instant now) {
        if (a.isFinished()) {
            return ending(a);
        }
        return a.startedAt() == null ? NONE : duration(Duration.between(a.startedAt(), now));
    }

    /** The {@code list} table; columns are as wide as their widest cell. */
    static String table(List<Agent> agents, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "NAME", "STATE", "PID", "UPTIME/EXIT", "RESTARTS"});
        for (Agent a : agents) {
            rows.add(new String[] {
                orNone(a.id()), orNone(a.name()), orNone(a.state()),
                a.pid() == null ? NONE : a.pid().toString(),
                uptimeOrExit(a, now), Long.toString(a.restarts())});
        }
        return columns(rows);
    }

    /** Rows as aligned columns, each as wide as its widest cell plus two spaces; the first row is the header. */
    static String columns(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(r[i]);
                if (i < r.length - 1) {
                    line.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Text that came from an agent or a tool, made safe to print in one cell
     * or line: line breaks and tabs become {@code \n} and {@code \t}, other
     * control and invisible format characters (terminal escapes, bidi
     * overrides) become {@code \\uXXXX}, so that what an agent wrote cannot
     * rewrite the admin's screen or hide part of a preview.
     */
    static String printable(String s) {
        if (s == null) {
            return NONE;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                            || Character.getType(c) == Character.LINE_SEPARATOR
                            || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Time until {@code at}: {@code in 4m48s}, {@code expired}, or {@code -} for never. */
    static String until(Instant at, Instant now) {
        if (at == null) {
            return NONE;
        }
        return at.isAfter(now) ? "in " + duration(Duration.between(now, at)) : "expired";
    }

    /** Time since {@code at}: {@code 3m12s}, or {@code -} when unknown. */
    static String age(Instant at, Instant now) {
        return at == null ? NONE : duration(Duration.between(at, now));
    }

    /** One audit record as one line, without the line break: {@code SEQ TIME EVENT AGENT actor=UID DETAILS}. */
    static String auditLine(AuditRecord r) {
        JsonNode details = r.details();
        String compact = details.isMissingNode() || details.isNull() ? "{}" : Json.compact(details);
        return (r.seq() == null ? NONE : r.seq().toString()) + " " + orNone(r.time()) + " "
                + printable(orNone(r.event())) + " " + orNone(r.agent()) + " actor="
                + (r.actorUid() == null ? NONE : r.actorUid().toString()) + " " + printable(compact);
    }

    /** The {@code tool list} table: NAME DESCRIPTION (its first line). */
    static String tools(Tools t) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "DESCRIPTION"});
        for (Tools.Tool tool : t.tools()) {
            String d = tool.description() == null ? NONE : tool.description().strip().lines().findFirst().orElse("");
            rows.add(new String[] {printable(tool.name()), printable(d)});
        }
        return columns(rows);
    }

    /** The {@code caps} table, then who the agent acts for. */
    static String caps(Capabilities c, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "KIND", "VALUE", "USED/MAX", "RATE", "EXPIRES", "PARENT", "REVOKED"});
        for (Grant g : c.grants()) {
            rows.add(new String[] {
                g.id() == null ? NONE : g.id().toString(), orNone(g.kind()), printable(g.value()),
                g.used() + "/" + (g.maxInvocations() == null ? NONE : g.maxInvocations().toString()),
                orNone(g.rate()), until(g.expiresAt(), now),
                g.parentGrantId() == null ? NONE : g.parentGrantId().toString(),
                g.revoked() ? "yes" : "no"});
        }
        String table = columns(rows);
        List<String> chain = c.onBehalfOf();
        return chain.isEmpty() ? table : table + "on behalf of: " + String.join(" \u2190 ", chain) + "\n";
    }

    /** One grant in a sentence, for {@code grant}: {@code grant 7: tool echo (max 10, rate 10/m, expires in 1d00h)}. */
    static String grant(Grant g, String agent, Instant now) {
        List<String> limits = new ArrayList<>();
        if (g.maxInvocations() != null) {
            limits.add("max " + g.maxInvocations() + " invocations");
        }
        if (g.rate() != null) {
            limits.add("rate " + g.rate());
        }
        if (g.expiresAt() != null) {
            limits.add("expires " + until(g.expiresAt(), now));
        }
        return "grant " + (g.id() == null ? NONE : g.id()) + ": " + orNone(g.kind()) + " " + printable(g.value())
                + " for " + agent + (limits.isEmpty() ? "" : " (" + String.join(", ", limits) + ")") + "\n";
    }

    /** The {@code approvals} table. PREVIEW is last and never cut: it is what the admin decides on. */
    static String approvals(Approvals a, Instant now) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "AGENT", "TOOL", "AGE", "EXPIRES", "PREVIEW"});
        for (Approval p : a.approvals()) {
            rows.add(new String[] {
                orNone(p.id()), orNone(p.agent()), printable(p.tool()), age(p.createdAt(), now),
                until(p.expiresAt(), now), printable(p.preview())});
        }
        return columns(rows);
    }

    /** An approval after the decision: {@code approval 3f2a9c01: approved (echo for a1b2c3d4)}. */
    static String decision(Approval a) {
        return "approval " + orNone(a.id()) + ": " + orNone(a.state()) + " (" + printable(a.tool()) + " for "
                + orNone(a.agent()) + ")\n";
    }

    /**
     * The {@code mcp list} table: NAME STATE TOOLS PROBLEM. TOOLS are the
     * names agents see, comma-separated; PROBLEM is last and never cut.
     */
    static String mcpServers(McpServers m) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "TOOLS", "PROBLEM"});
        for (McpServer s : m.servers()) {
            List<String> tools = s.tools();
            rows.add(new String[] {
                printable(s.name()), orNone(s.state()),
                tools.isEmpty() ? NONE : printable(String.join(",", tools)), printable(s.problem())});
        }
        return columns(rows);
    }

    /** An MCP server after {@code mcp approve}: {@code approved calc: 1 tool(s) pinned}, then its state. */
    static String mcpApproved(McpServer s, String name) {
        String state = orNone(s.state());
        if (s.problem() != null) {
            state += " (" + printable(s.problem()) + ")";
        }
        return "approved " + printable(s.name() == null ? name : s.name()) + ": " + s.tools().size()
                + " tool(s) pinned\nstate: " + state + "\n";
    }

    /** The {@code status} block. */
    static String status(Agent a, Instant now) {
        Block b = new Block();
        b.put("ID", a.id());
        b.put("Name", a.name());
        String state = orNone(a.state());
        if (!a.isFinished() && a.startedAt() != null) {
            state += " (up " + duration(Duration.between(a.startedAt(), now)) + ")";
        } else if (a.isFinished()) {
            state += " (" + endingLong(a) + ")";
        }
        b.put("State", state);
        b.put("PID", a.pid());
        b.put("UID", a.uid());
        b.put("Created", a.createdAt());
        b.put("Started", a.startedAt());
        b.put("Exited", a.exitedAt());
        b.put("Restarts", a.restarts() + (a.restartPolicy() == null ? "" : " (policy " + a.restartPolicy() + ")"));
        b.put("Requested by", a.requestedBy() == null ? null : "uid " + a.requestedBy());
        b.put("Manifest", a.manifestPath() == null ? "(sent as text)" : a.manifestPath());
        String memory = bytes(a.memoryCurrent());
        if (a.memoryPeak() != null) {
            memory += " (peak " + bytes(a.memoryPeak()) + ")";
        }
        b.put("Memory", memory);
        b.put("CPU", cpu(a.cpuUsageUsec()));
        b.put("Tasks", a.pidsCurrent() == null ? "unknown" : a.pidsCurrent().toString());
        b.put("OOM kills", a.oomKills() == null ? "unknown" : a.oomKills().toString());
        b.putAll("Dropped", a.dropped().isEmpty() ? List.of("none") : a.dropped());
        return b.toString();
    }

    /** The {@code daemon status} block: agentd, then what the kernel offers it. */
    static String daemon(DaemonInfo d) {
        Block b = new Block();
        b.put("Version", d.version());
        b.put("PID", d.pid());
        b.put("Uptime", d.uptimeSeconds() == null ? null : duration(Duration.ofSeconds(d.uptimeSeconds())));
        b.put("Agents", d.agentsRunning() == null ? null : d.agentsRunning() + " running");
        String kernel = orNone(d.kernelRelease());
        if (d.arch() != null) {
            kernel += " (" + d.arch() + ")";
        }
        b.put("Kernel", kernel);
        Long abi = d.landlockAbi();
        b.put("Landlock", abi == null ? "unknown" : abi <= 0 ? "not available" : "ABI " + abi);
        b.put("seccomp", yesNo(d.seccomp()));
        b.put("User notify", yesNo(d.seccompUserNotif()));
        b.put("cgroups", d.cgroupLayout());
        b.put("Controllers", d.cgroupControllers().isEmpty() ? "none" : String.join(", ", d.cgroupControllers()));
        JsonNode criu = d.criu();
        b.put("CRIU", criu == null ? "not available" : criu.isValueNode() ? criu.asText() : criu.toString());
        return b.toString();
    }

    private static String yesNo(Boolean b) {
        return b == null ? "unknown" : b ? "available" : "not available";
    }

    private static String orNone(String s) {
        return s == null ? NONE : s;
    }

    /** Aligned {@code Key: value} lines; extra values of a key continue under the first. */
    private static final class Block {
        private final StringBuilder sb = new StringBuilder();

        void put(String key, Object value) {
            putAll(key, List.of(value == null ? NONE : value.toString()));
        }

        void putAll(String key, List<String> values) {
            String head = key + ":";
            for (int i = 0; i < values.size(); i++) {
                String k = i == 0 ? head : "";
                sb.append(k).append(" ".repeat(Math.max(1, KEY_WIDTH - k.length()))).append(values.get(i)).append('\n');
            }
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
