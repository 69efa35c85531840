package dev.agentd.audit;

/**
 * What {@link AuditLog#prune} did.
 *
 * @param records    how many records were deleted (0: none was older than the cut)
 * @param fromSeq    the first deleted record (0 when none)
 * @param toSeq      the last deleted record: the new anchor (0 when none)
 * @param anchorHash that record's hash, with which the first kept record's {@code prev_hash} must agree
 * @param record     the chained {@code audit.prune} record saying who pruned what
 */
public record Pruned(long records, long fromSeq, long toSeq, String anchorHash, AuditRecord record) {}
