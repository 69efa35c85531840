package dev.agentd.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link Events}: what is queued inside a write, what is delivered at once, and how a refusal reads. */
class EventsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void emit_outsideAWrite_isRefused_andEndDropsWhatIsQueued() {
        List<BrokerEvent> seen = new ArrayList<>();
        Events events = new Events(CLOCK, seen::add);
        assertThrows(IllegalStateException.class,
                () -> events.emit(BrokerEvent.Type.AGENT_FORGOTTEN, "a", Events.details()));
        events.begin();
        events.emit(BrokerEvent.Type.AGENT_FORGOTTEN, "a", Events.details());
        events.end();
        events.begin();
        events.deliverQueued("nothing");
        events.end();
        assertEquals(List.of(), seen);
    }

    @Test
    void deliverQueued_inOrder_andARefusalNamesTheChange() {
        List<BrokerEvent> seen = new ArrayList<>();
        Events events = new Events(CLOCK, e -> {
            if (e.type() == BrokerEvent.Type.REVOKED) {
                throw new IllegalStateException("disk full");
            }
            seen.add(e);
        });
        events.begin();
        events.emit(BrokerEvent.Type.AGENT_REGISTERED, "a", Events.details("parent", "", "by", "admin:0"));
        events.emit(BrokerEvent.Type.AGENT_FORGOTTEN, "a", Events.details());
        events.deliverQueued("x");
        assertEquals(List.of(BrokerEvent.Type.AGENT_REGISTERED, BrokerEvent.Type.AGENT_FORGOTTEN),
                seen.stream().map(BrokerEvent::type).toList());
        assertEquals(new BrokerEvent(BrokerEvent.Type.AGENT_FORGOTTEN, CLOCK.instant(), Optional.of("a"),
                Events.details()), seen.get(1));
        events.end();
        events.begin();
        events.emit(BrokerEvent.Type.REVOKED, "a", Events.details());
        BrokerException e = assertThrows(BrokerException.class, () -> events.deliverQueued("revoke grant 1"));
        assertEquals("broker listener refused REVOKED event, so \"revoke grant 1\" was rolled back: disk full",
                e.getMessage());
    }

    @Test
    void deliverDecision_describesTheGrantUsedOrTheReason() {
        List<BrokerEvent> seen = new ArrayList<>();
        Events events = new Events(CLOCK, seen::add);
        Grant g = new Grant(7, "a", GrantKind.TOOL, "echo", OptionalLong.empty(), Optional.empty(), Optional.empty(),
                OptionalLong.empty(), false);
        events.deliverDecision("a", GrantKind.TOOL, "echo", Decision.allowed(g));
        events.deliverDecision("a", GrantKind.TOOL, null, Decision.denied("no grant"));
        assertEquals(Events.details("grant", "7", "kind", "tool", "value", "echo"), seen.get(0).details());
        assertEquals(BrokerEvent.Type.DENIED, seen.get(1).type());
        assertEquals(Events.details("kind", "tool", "value", "", "reason", "no grant"), seen.get(1).details());

        Events refusing = new Events(CLOCK, e -> {
            throw new IllegalStateException("audit down");
        });
        BrokerException e = assertThrows(BrokerException.class,
                () -> refusing.deliverDecision("a", GrantKind.TOOL, "echo", Decision.allowed(g)));
        assertTrue(e.getMessage().contains("(the invocation stays consumed): audit down"), e.getMessage());
    }
}
