package dev.agentd.audit;

/**
 * One stored audit record.
 *
 * @param actorUid who asked: an admin peer's uid, or null for agentd itself
 * @param agentId  the agent the record is about, or null
 * @param details  a JSON object, as written
 */
public record AuditRecord(long seq, String time, Integer actorUid, String agentId, String event, String details,
        String prevHash, String hash) {}
