package dev.agentd.agentctl;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentctl events}: agents starting and ending, grants, approvals, as they happen. */
@Command(name = "events",
        mixinStandardHelpOptions = true,
        header = "Show agent lifecycle, grant and approval events; -f follows them as they happen.",
        description = {
            "Prints the audit log's records about what agents and admins do, leaving out the per-call "
                    + "records (`agentctl audit` has everything), one per line as `agentctl audit` prints "
                    + "them: SEQ TIME EVENT AGENT actor=UID DETAILS. The events:",
            "",
            "  lifecycle  spawn, restore, spawn.refused, restore.refused, adopt, restart, stop, kill,",
            "             exit, checkpoint, daemon.start",
            "  grants     broker.granted, broker.delegated, broker.revoked",
            "  approvals  broker.approval_requested (pending: `agentctl approvals`), broker.approved,",
            "             broker.denied_approval",
            "",
            "Without --follow, prints the last --tail events and exits. With --follow, prints those and "
                    + "then each new event as agentd records it, until interrupted (Ctrl-C).",
            "",
            "With --json, one compact JSON record per line (JSON Lines), followed or not."},
        footer = {
            "%nEXAMPLES",
            "  agentctl events",
            "  agentctl events -f",
            "  agentctl events -f --json | jq -c 'select(.event == \"broker.approval_requested\")'"})
final class EventsCommand implements Callable<Integer> {
    /** The audit events this command shows: see the description. */
    static final Set<String> EVENTS = Set.of(
            "spawn", "restore", "spawn.refused", "restore.refused", "adopt", "restart", "stop", "kill", "exit",
            "checkpoint", "daemon.start",
            "broker.granted", "broker.delegated", "broker.revoked",
            "broker.approval_requested", "broker.approved", "broker.denied_approval");

    @Mixin
    private CommonOptions common;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events until interrupted.")
    private boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "20",
            description = "How many past events to print first. Default: ${DEFAULT-VALUE}.")
    private int tail;

    @Option(names = "--agent", paramLabel = "ID",
            description = "Only events about this agent (its id, or its name when unique).")
    private String agent;

    @Override
    public Integer call() throws Exception {
        if (tail < 0) {
            throw new CliException(ExitCodes.USAGE, "--tail must be 0 or more, not " + tail);
        }
        try (AdminClient agentd = common.connect()) {
            List<AuditRecord> past = agentd.auditList(agent, null).records();
            List<AuditRecord> shown = new ArrayList<>();
            for (AuditRecord r : past) {
                if (EVENTS.contains(r.event())) {
                    shown.add(r);
                }
            }
            shown = shown.subList(Math.max(0, shown.size() - tail), shown.size());
            for (AuditRecord r : shown) {
                print(r);
            }
            if (!follow) {
                return ExitCodes.OK;
            }
            // Follow from the last record seen: agentd resends what is at or
            // after that time, and sequence numbers drop what was printed.
            long lastSeq = past.isEmpty() || past.get(past.size() - 1).seq() == null ? 0
                    : past.get(past.size() - 1).seq();
            Instant from = past.isEmpty() ? common.now() : Instant.parse(past.get(past.size() - 1).time());
            long[] seen = {lastSeq};
            agentd.auditFollow(agent, from, r -> {
                if (r.seq() != null && r.seq() <= seen[0]) {
                    return;
                }
                if (r.seq() != null) {
                    seen[0] = r.seq();
                }
                if (EVENTS.contains(r.event())) {
                    print(r);
                }
            });
        }
        return ExitCodes.OK;
    }

    private void print(AuditRecord r) {
        common.printStreamed(Human.auditLine(r), r.json());
    }
}
