package dev.agentd.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;

/**
 * The audit trail: every record goes to SQLite first (committed before the
 * action it describes is acknowledged) and then, as one JSON line, to stdout
 * for journald.
 */
final class Audit {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Store store;
    private final PrintStream out;
    private final java.nio.file.Path head;

    Audit(Store store, PrintStream out, java.nio.file.Path head) {
        this.store = store;
        this.out = out;
        this.head = head;
    }

    /** Checks the whole chain; the problems found, or none. */
    java.util.List<String> verify() throws IOException {
        return AuditChain.verify(store.auditRows(), head);
    }

    /**
     * Records {@code event}.
     *
     * @param actorUid who asked: an admin peer's uid, or null for agentd itself
     */
    /**
     * Records {@code event} or throws: for records that must exist before what
     * they describe is released (a tool call's result goes to the agent only
     * after its record is committed).
     *
     * @throws IllegalStateException when the record could not be written
     */
    synchronized void recordOrFail(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        if (!write(actorUid, agentId, event, details)) {
            throw new IllegalStateException("the audit record of " + event + " could not be written");
        }
    }

    synchronized void record(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        write(actorUid, agentId, event, details);
    }

    private boolean write(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        Instant now = Instant.now();
        ObjectNode d = JSON.valueToTree(details);
        try {
            Store.Appended a = store.audit(now, actorUid, agentId, event, JSON.writeValueAsString(d));
            AuditChain.writeHead(head, a.seq(), a.hash());
            ObjectNode line = JSON.createObjectNode();
            line.put("audit", a.seq());
            line.put("hash", a.hash());
            line.put("time", now.toString());
            line.put("event", event);
            if (actorUid != null) {
                line.put("actor_uid", actorUid);
            }
            if (agentId != null) {
                line.put("agent", agentId);
            }
            line.set("details", d);
            synchronized (out) {
                out.println(JSON.writeValueAsString(line));
                out.flush();
            }
            return true;
        } catch (IOException e) {
            // The database refused: say so loudly on stderr; the caller's
            // action has already happened and must not be hidden.
            System.err.println("agentd: AUDIT WRITE FAILED for " + event + " (" + agentId + "): " + e.getMessage());
            return false;
        }
    }
}
