package dev.agentd.broker;

/**
 * Receives every {@link BrokerEvent}. Called on the thread that made the change, while the broker
 * holds its lock and BEFORE the change is committed: if the listener throws, the change is rolled
 * back and the caller gets a {@link BrokerException}, so nothing happens that was not audited.
 * Consequently the listener must be quick and must not wait for another thread that uses the
 * broker (nor hold a lock such a thread may be waiting for while it calls the broker). It may read
 * the broker on the same thread; a change from inside the listener is refused, since its events
 * would reach the audit log out of order.
 *
 * <p>The exception: {@link BrokerEvent.Type#AUTHORIZED} and {@link BrokerEvent.Type#DENIED} of
 * {@link Broker#authorize} come after the decision, outside any transaction and without the
 * broker's lock (a decision is made from memory and commits nothing of its own). If the listener
 * throws, {@code authorize} throws {@link BrokerException} and the invocation stays consumed.
 */
@FunctionalInterface
public interface BrokerListener {
    BrokerListener NONE = e -> {};

    void onEvent(BrokerEvent event);
}
