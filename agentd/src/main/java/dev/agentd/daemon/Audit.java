package dev.agentd.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentd.audit.AuditLog;
import dev.agentd.audit.AuditRecord;
import dev.agentd.audit.Pruned;
import dev.agentd.audit.Verification;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * agentd's side of the audit log ({@link AuditLog}): what a record about an
 * agent carries besides its details (on whose behalf the agent runs), and
 * what a failed write means for its caller. Every record is committed to
 * SQLite before the call that wrote it returns, and then goes, as one JSON
 * line, to stdout for journald.
 */
final class Audit implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AuditLog log;
    /** On whose behalf an agent runs (agent, parent..., admin), for every record about an agent. */
    private volatile Function<String, List<String>> chainOf;

    Audit(AuditLog log) {
        this.log = log;
    }

    /** Where records about an agent get their {@code on_behalf_of} chain from. */
    void chains(Function<String, List<String>> f) {
        this.chainOf = f;
    }

    /** Checks the whole chain from one snapshot; appends going on meanwhile are not problems. */
    Verification verify() throws IOException {
        return log.verify();
    }

    /** Deletes the records before {@code before}, anchored and recorded (see {@link AuditLog#prune}). */
    Pruned prune(Instant before, int actorUid) throws IOException {
        return log.prune(before, actorUid);
    }

    /** Records oldest first after {@code afterSeq}, of one agent when {@code agentId} is not null. */
    List<AuditRecord> rows(String agentId, long afterSeq, int limit) throws IOException {
        return log.rows(agentId, afterSeq, limit);
    }

    /**
     * Records {@code event} or throws: for records that must exist before what
     * they describe is released (a tool call's result goes to the agent only
     * after its record is committed).
     *
     * @param actorUid who asked: an admin peer's uid, or null for agentd itself
     * @throws IllegalStateException when the record could not be written
     */
    void recordOrFail(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        if (!write(actorUid, agentId, event, prepare(agentId, event, details))) {
            throw new IllegalStateException("the audit record of " + event + " could not be written");
        }
    }

    /** Records {@code event}; a failure is reported on stderr, since the action has already happened. */
    void record(Integer actorUid, String agentId, String event, Map<String, ?> details) {
        write(actorUid, agentId, event, prepare(agentId, event, details));
    }

    /**
     * The record's details, with the agent's chain added. No lock is held
     * here: the broker calls in from inside its own lock.
     */
    private ObjectNode prepare(String agentId, String event, Map<String, ?> details) {
        ObjectNode d = JSON.valueToTree(details);
        // Broker events are written inside the broker's own transaction and name
        // their principal ("by"); every other record about an agent says on
        // whose behalf it runs.
        Function<String, List<String>> chains = chainOf;
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
        try {
            log.append(actorUid, agentId, event, JSON.writeValueAsString(d));
            return true;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details of " + event + " are not serializable", e);
        } catch (IOException e) {
            // The database refused: say so loudly on stderr.
            System.err.println("agentd: AUDIT WRITE FAILED for " + event + " (" + agentId + "): " + e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        log.close();
    }
}
