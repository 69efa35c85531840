package dev.agentd.broker;

/**
 * Receives every {@link BrokerEvent}. Called on the thread that made the change, while the broker
 * holds its lock and BEFORE the change is committed: if the listener throws, the change is rolled
 * back and the caller gets a {@link BrokerException}, so nothing happens that was not audited.
 * Consequently the listener must be quick and must not wait for another thread that uses the
 * broker. It may call the broker on the same thread.
 */
@FunctionalInterface
public interface BrokerListener {
    BrokerListener NONE = e -> {};

    void onEvent(BrokerEvent event);
}
