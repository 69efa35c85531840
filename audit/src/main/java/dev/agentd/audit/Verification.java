package dev.agentd.audit;

import java.util.List;

/**
 * What {@link AuditLog#verify()} found.
 *
 * @param records       the records checked (those kept: after the anchor, if the log was pruned)
 * @param headSeq       the record the head named when verification began
 * @param beyondHead    records committed after that head was read, or whose head write was cut short
 *                      by a crash: a live append, checked like every other record, not a deletion
 * @param anchorSeq     the last pruned record, 0 when the log was never pruned
 * @param problems      one sentence each, naming the record; empty when the log is intact
 */
public record Verification(long records, long headSeq, long beyondHead, long anchorSeq, List<String> problems) {
    public Verification {
        problems = List.copyOf(problems);
    }

    public boolean ok() {
        return problems.isEmpty();
    }
}
