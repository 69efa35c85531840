package dev.agentd.agentctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code agentctl audit verify}: check the audit log's hash chain; exit 6 when it was tampered with. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        header = "Check that the audit log was not tampered with.",
        description = {
            "Asks agentd to check every audit record against the hash chain and the head file. "
                    + "Prints `audit log intact: N records` and exits 0 when all is well. Otherwise prints "
                    + "each problem on its own line on stdout (a record edited, inserted or deleted, named by "
                    + "its sequence number) and exits 6.",
            "",
            "Safe while agents are calling tools: agentd reads the head and then every record from one "
                    + "snapshot of the database, so records committed meanwhile are checked like the rest, "
                    + "never taken for deleted ones. After `agentctl audit prune`, the log is checked from the "
                    + "cut point the prune recorded.",
            "",
            "With --json, prints agentd's result {\"ok\": ..., \"records\": N, \"head_seq\": N, "
                    + "\"beyond_head\": N, \"pruned_through\": N, \"problems\": [...]} and exits as above "
                    + "(beyond_head: records committed while the check ran; pruned_through: the last pruned "
                    + "record, 0 when never pruned)."},
        footer = {
            "%nEXAMPLES",
            "  agentctl audit verify",
            "  agentctl audit verify --json | jq -r '.problems[]'",
            "  agentctl audit verify >/dev/null || alert \"agentd audit log tampered\""})
final class AuditVerifyCommand implements Callable<Integer> {
    @Mixin
    private CommonOptions common;

    @Override
    public Integer call() throws Exception {
        try (AdminClient agentd = common.connect()) {
            AuditVerification v = agentd.auditVerify();
            if (v.intact()) {
                common.print(v, "audit log intact: " + v.records() + " records\n");
                return ExitCodes.OK;
            }
            StringBuilder human = new StringBuilder();
            v.problems().forEach(p -> human.append(Human.printable(p)).append('\n'));
            if (v.problems().isEmpty()) {
                human.append("agentd reported the audit log as not intact without naming a problem\n");
            }
            common.print(v, human.toString());
            return ExitCodes.AUDIT_TAMPERED;
        }
    }
}
