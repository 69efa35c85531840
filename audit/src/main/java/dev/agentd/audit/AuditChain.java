package dev.agentd.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The audit log's hash chain: {@code hash = SHA-256(prev_hash | seq | time |
 * actor | agent | event | details)}, each field length-prefixed so no two
 * records can encode alike. An edited record no longer matches its hash; an
 * inserted or deleted one breaks the next record's {@code prev_hash} or the
 * sequence; a deleted tail no longer reaches the head kept outside the
 * database ({@link AuditHead}).
 */
final class AuditChain {
    /** The hash before the first record. */
    static final String GENESIS = "0".repeat(64);

    private AuditChain() {}

    static String hash(String prev, long seq, String time, Integer actorUid, String agentId, String event, String details) {
        MessageDigest d = sha256();
        for (String f : new String[] {prev, Long.toString(seq), time, actorUid == null ? "" : actorUid.toString(),
            agentId == null ? "" : agentId, event, details}) {
            byte[] b = f.getBytes(StandardCharsets.UTF_8);
            d.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
            d.update(b);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static String hash(AuditRecord r) {
        return hash(r.prevHash(), r.seq(), r.time(), r.actorUid(), r.agentId(), r.event(), r.details());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }
}
