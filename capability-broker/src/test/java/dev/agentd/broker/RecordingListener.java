package dev.agentd.broker;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps every event, for assertions. */
final class RecordingListener implements BrokerListener {
    final List<BrokerEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void onEvent(BrokerEvent event) {
        events.add(event);
    }

    List<BrokerEvent> ofType(BrokerEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).toList();
    }
}
