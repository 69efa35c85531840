package dev.agentd.agentctl;

import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code agentctl audit prune --before TIME}: retention for the audit log. */
@Command(name = "prune",
        mixinStandardHelpOptions = true,
        header = "Delete old audit records, keeping the rest verifiable.",
        description = {
            "Asks agentd to delete every audit record written before TIME: the oldest records, up to the "
                    + "first one written at or after TIME (so what is kept is one unbroken chain even if the "
                    + "clock was ever set back).",
            "",
            "In the same transaction agentd keeps the sequence number and hash of the last deleted record "
                    + "as the log's anchor, and appends a chained audit.prune record naming you (your uid), "
                    + "TIME, the records deleted and the anchor. `agentctl audit verify` then checks the kept "
                    + "records from the anchor and checks that the newest audit.prune record names it: an "
                    + "edit, insertion or deletion after a prune is still found, and so is an anchor moved to "
                    + "hide one. The deleted records themselves are gone; keep the journal (agentd's stdout) "
                    + "or a copy of the database if you need them. SQLite reuses the freed pages; the file "
                    + "does not shrink.",
            "",
            "TIME is an ISO-8601 time (2026-11-22T10:00:00Z, 2026-11-22) or a duration back from now "
                    + "(90d, 2w, 12h), which agentctl turns into a time with this host's clock.",
            "",
            "Prints `pruned N records (FIRST..LAST); audit.prune is record SEQ`. With --json, prints "
                    + "agentd's result {\"before\", \"pruned\", \"from_seq\", \"to_seq\", \"anchor_hash\", "
                    + "\"record\"}."},
        footer = {
            "%nEXAMPLES",
            "  agentctl audit prune --before 90d",
            "  agentctl audit prune --before 2026-01-01 --json",
            "  agentctl audit prune --before 30d && agentctl audit verify"})
final class AuditPruneCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Option(names = "--before", required = true, paramLabel = "TIME",
            description = "Delete the records written before TIME: an ISO-8601 time or a duration ago (90d, 2w).")
    private String before;

    @Override
    public Integer call() throws Exception {
        Instant cut = Times.ago("--before", before, common.now());
        try (AdminClient agentd = common.connect()) {
            AuditPruning p = agentd.auditPrune(cut);
            String human = p.pruned() == 0
                    ? "no record before " + cut + "; audit.prune is record " + p.record() + "\n"
                    : "pruned " + p.pruned() + " records (" + p.fromSeq() + ".." + p.toSeq() + "); audit.prune is record "
                            + p.record() + "\n";
            common.print(p, human);
            return ExitCodes.OK;
        }
    }
}
