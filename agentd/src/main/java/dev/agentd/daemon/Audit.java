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
    /** On whose behalf an agent runs (agent, parent..., admin), for every record about an agent. */
    private volatile java.util.function.Function<String, java.util.List<String>> chainOf;

    Audit(Store store, PrintStream out, java.nio.file.Path head) {
        this.store = store;
        this.out = out;
        this.head = head;
    }

    /** Where records about an agent get their {@code on_behalf_of} chain from. */
    void chains(java.util.function.Function<String, java.util.List<String>> f) {
        this.chainOf = f;
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
    void recordOrFail(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        ObjectNode d = prepare(agentId, event, details);
        boolean written;
        synchronized (this) {
            written = write(actorUid, agentId, event, d);
        }
        if (!written) {
            throw new IllegalStateException("the audit record of " + event + " could not be written");
        }
    }

    void record(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        ObjectNode d = prepare(agentId, event, details);
        synchronized (this) {
            write(actorUid, agentId, event, d);
        }
    }

    /**
     * The record's details, with the agent's chain added — outside this
     * object's lock: the broker calls in here from inside its own lock, so
     * asking the broker while holding ours could deadlock.
     */
    private ObjectNode prepare(String agentId, String event, Map<String, ?> details) {
        ObjectNode d = JSON.valueToTree(details);
        // Broker events are written inside the broker's own transaction and name
        // their principal ("by"); every other record about an agent says on
        // whose behalf it runs.
        java.util.function.Function<String, java.util.List<String>> chains = chainOf;
        if (agentId != null && chains != null && !event.startsWith("broker.") && !d.has("on_behalf_of")) {
            try {
                d.set("on_behalf_of", JSON.valueToTree(chains.apply(agentId)));
            } catch (RuntimeException e) {
                // not (or no longer) registered with the broker: the record stands without it
            }
        }
        return d;
    }

    private boolean write(Integer actorUid, String agentId, String event, ObjectNode d) {
        Instant now = Instant.now();
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
