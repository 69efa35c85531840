package dev.agentd.agentctl;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentctl audit}: print, or follow, agentd's audit log. */
@Command(name = "audit",
        mixinStandardHelpOptions = true,
        header = "Print or follow the audit log; `audit verify` checks it.",
        description = {
            "Prints agentd's audit records, oldest first, one per line:",
            "",
            "  SEQ TIME EVENT AGENT actor=UID DETAILS",
            "",
            "DETAILS is the event's details as compact JSON. AGENT is - for records about agentd itself, "
                    + "actor is - for what agentd did on its own (an exit, a restart) rather than at an "
                    + "admin's request.",
            "",
            "--since takes an ISO-8601 time (2026-11-22T10:00:00Z, 2026-11-22T11:00:00+01:00, 2026-11-22) "
                    + "or a duration back from now (30s, 10m, 2h, 1h30m, 7d), which agentctl turns into a "
                    + "time with this host's clock.",
            "",
            "With --follow, prints the matching records and then each new one as agentd writes it, "
                    + "until interrupted (Ctrl-C). Closing agentctl's output (`| head`) also stops it, "
                    + "with exit status 141.",
            "",
            "With --json, prints agentd's result {\"records\": [...]}; with --json --follow, one compact "
                    + "record object per line (JSON Lines).",
            "",
            "`agentctl audit verify` checks the log's hash chain and exits 6 when it was tampered with; "
                    + "`agentctl audit prune --before TIME` deletes old records and keeps the rest verifiable."},
        subcommands = {AuditVerifyCommand.class, AuditPruneCommand.class},
        footer = {
            "%nEXAMPLES",
            "  agentctl audit --since 1h",
            "  agentctl audit --agent researcher --since 2026-11-22T00:00:00Z",
            "  agentctl audit -f --json | jq -c 'select(.event == \"tool.call\")'",
            "  agentctl audit verify",
            "  agentctl audit prune --before 90d"})
final class AuditCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Option(names = "--agent", paramLabel = "ID",
            description = "Only records about this agent (its id, or its name when unique).")
    private String agent;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only records at or after TIME: an ISO-8601 time or a duration ago (10m, 2h, 7d).")
    private String since;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new records until interrupted.")
    private boolean follow;

    @Override
    public Integer call() throws Exception {
        Instant from = since == null ? null : Times.ago("--since", since, common.now());
        try (AdminClient agentd = common.connect()) {
            if (follow) {
                agentd.auditFollow(agent, from,
                        r -> common.printStreamed(Human.auditLine(r), r.json()));
                return ExitCodes.OK;
            }
            AuditLog log = agentd.auditList(agent, from);
            StringBuilder human = new StringBuilder();
            log.records().forEach(r -> human.append(Human.auditLine(r)).append('\n'));
            common.print(log, human.toString());
        }
        return ExitCodes.OK;
    }
}
