package dev.agentd.broker;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Delivers the broker's events to its {@link BrokerListener}, in the two ways its contract
 * describes: the events of a write transaction are queued by {@link #emit} and delivered by
 * {@link Database#write} before the commit (a listener that throws rolls the change back); the
 * {@code AUTHORIZED} or {@code DENIED} event of a decision is delivered at once, outside any
 * transaction ({@link #deliverDecision}).
 *
 * <p>The queue is guarded by the database lock: {@link #begin}, {@link #emit},
 * {@link #deliverQueued} and {@link #end} run only inside {@link Database#write}.
 */
final class Events {
    private final Clock clock;
    private final BrokerListener listener;
    /** Events of the write transaction in progress; delivered before its commit. */
    private final List<BrokerEvent> pending = new ArrayList<>();
    private boolean inWrite;

    Events(Clock clock, BrokerListener listener) {
        this.clock = clock;
        this.listener = listener;
    }

    /** A write transaction starts: events may be queued. */
    void begin() {
        inWrite = true;
        pending.clear();
    }

    /** The write transaction ended, committed or not: what is still queued is dropped. */
    void end() {
        inWrite = false;
        pending.clear();
    }

    /** Queues an event of the current write transaction. */
    void emit(BrokerEvent.Type type, String agentId, Map<String, String> details) {
        if (!inWrite) {
            throw new IllegalStateException("event " + type + " outside a write transaction");
        }
        pending.add(new BrokerEvent(type, clock.instant(), Optional.ofNullable(agentId), details));
    }

    /**
     * Delivers the queued events, in order, before the transaction {@code what} commits.
     *
     * @throws BrokerException if the listener refuses one (the caller rolls back)
     */
    void deliverQueued(String what) {
        for (BrokerEvent e : List.copyOf(pending)) {
            try {
                listener.onEvent(e);
            } catch (RuntimeException ex) {
                throw new BrokerException("broker listener refused " + e.type() + " event, so \"" + what
                        + "\" was rolled back: " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Delivers the {@code AUTHORIZED} or {@code DENIED} event of a decision already made, on this
     * thread, outside any transaction.
     *
     * @throws BrokerException if the listener throws (the invocation stays consumed)
     */
    void deliverDecision(String agentId, GrantKind kind, String value, Decision d) {
        BrokerEvent e = d instanceof Decision.Allowed allowed
                ? new BrokerEvent(BrokerEvent.Type.AUTHORIZED, clock.instant(), Optional.ofNullable(agentId), details(
                        "grant", Long.toString(allowed.grant().id()), "kind", kind.key(),
                        "value", value == null ? "" : Values.printable(value)))
                : new BrokerEvent(BrokerEvent.Type.DENIED, clock.instant(), Optional.ofNullable(agentId), details(
                        "kind", kind.key(), "value", value == null ? "" : Values.printable(value),
                        "reason", ((Decision.Denied) d).reason()));
        try {
            listener.onEvent(e);
        } catch (RuntimeException ex) {
            throw new BrokerException("broker listener refused " + e.type() + " event of agent " + agentId
                    + " (the invocation stays consumed): " + ex.getMessage(), ex);
        }
    }

    /** An event's details from key, value pairs, in order. */
    static Map<String, String> details(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
