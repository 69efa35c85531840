package dev.agentd.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The audit log's hash chain: {@code hash = SHA-256(prev_hash | seq | time |
 * actor | agent | event | details)}, each field length-prefixed so no two
 * records can encode alike. An edited record no longer matches its hash; an
 * inserted or deleted one breaks the next record's {@code prev_hash} or the
 * sequence; a deleted tail no longer reaches the head that agentd keeps in a
 * separate file ({@code audit.head}) after every append.
 */
final class AuditChain {
    private AuditChain() {}

    /** One stored record. */
    record Row(long seq, String time, Integer actorUid, String agentId, String event, String details,
            String prevHash, String hash) {}

    static String hash(String prev, long seq, String time, Integer actorUid, String agentId, String event, String details) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String f : new String[] {prev, Long.toString(seq), time, actorUid == null ? "" : actorUid.toString(),
                agentId == null ? "" : agentId, event, details}) {
                byte[] b = f.getBytes(StandardCharsets.UTF_8);
                d.update((b.length + ":").getBytes(StandardCharsets.US_ASCII));
                d.update(b);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }

    /**
     * Checks every record and the head. Returns the problems, one sentence
     * each naming the record; empty when the log is intact.
     */
    static List<String> verify(List<Row> rows, Path headFile) throws IOException {
        List<String> problems = new ArrayList<>();
        String prev = Store.GENESIS;
        long expectSeq = 1;
        for (Row r : rows) {
            if (r.seq() != expectSeq) {
                problems.add("record " + r.seq() + ": expected sequence number " + expectSeq
                        + (r.seq() > expectSeq ? " (records deleted)" : " (records inserted)"));
            }
            if (!r.prevHash().equals(prev)) {
                problems.add("record " + r.seq() + ": does not follow the record before it (chain broken: a record was"
                        + " inserted, deleted or edited before it)");
            }
            String h = hash(r.prevHash(), r.seq(), r.time(), r.actorUid(), r.agentId(), r.event(), r.details());
            if (!h.equals(r.hash())) {
                problems.add("record " + r.seq() + " (" + r.event() + "): content does not match its hash (edited)");
            }
            prev = r.hash();
            expectSeq = r.seq() + 1;
        }
        if (Files.exists(headFile)) {
            String[] head = Files.readString(headFile).trim().split(" ");
            long headSeq = Long.parseLong(head[0]);
            if (headSeq != expectSeq - 1 || !head[1].equals(prev)) {
                problems.add("the log ends at record " + (expectSeq - 1) + " but agentd last wrote record " + headSeq
                        + (headSeq > expectSeq - 1 ? " (records deleted at the end)" : " (the head does not match)"));
            }
        } else if (!rows.isEmpty()) {
            problems.add("the head file " + headFile + " is missing");
        }
        return problems;
    }

    /** Records the newest record's sequence number and hash, outside the database. */
    static void writeHead(Path headFile, long seq, String hash) throws IOException {
        Path tmp = headFile.resolveSibling(headFile.getFileName() + ".tmp");
        Files.writeString(tmp, seq + " " + hash + "\n");
        Files.move(tmp, headFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
