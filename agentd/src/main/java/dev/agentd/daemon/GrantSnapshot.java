package dev.agentd.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.agentd.broker.Broker;
import dev.agentd.broker.GrantKind;
import dev.agentd.broker.GrantRequest;
import dev.agentd.broker.GrantStatus;
import dev.agentd.broker.Principal;
import dev.agentd.broker.Rate;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A restored agent's grants as they were at its checkpoint, not as its
 * manifest first gave them: a grant revoked, expired or used up by then stays
 * gone, a budget goes on from what was left, and grants an admin added at run
 * time come back. So a restore never gives an agent more authority than it
 * had when it was dumped (it cannot reset a budget by being restored).
 */
final class GrantSnapshot {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GrantSnapshot() {}

    /**
     * Makes {@code agentId}'s grants (just registered from its manifest) match
     * {@code snapshot} ({@code caps.list}'s answer at the checkpoint).
     *
     * @return what was changed, one line each, for the audit record
     */
    static List<String> reapply(Broker broker, String agentId, String snapshot, Principal by) {
        JsonNode snap;
        try {
            snap = snapshot == null ? null : JSON.readTree(snapshot);
        } catch (IOException e) {
            snap = null;
        }
        List<String> changes = new ArrayList<>();
        if (snap == null || !snap.path("grants").isArray()) {
            return changes; // no snapshot (an older checkpoint): the manifest's grants
        }
        Map<String, GrantStatus> fresh = new HashMap<>();
        for (GrantStatus s : broker.grants(agentId)) {
            fresh.putIfAbsent(key(s.grant().kind().key(), s.grant().value()), s);
        }
        for (JsonNode g : snap.get("grants")) {
            String kindKey = g.path("kind").asText();
            String value = g.path("value").asText();
            String key = key(kindKey, value);
            Optional<GrantKind> kind = GrantKind.fromKey(kindKey);
            GrantStatus f = fresh.remove(key);
            String state = g.path("state").asText("live");
            Long max = g.path("max_invocations").isNumber() ? g.get("max_invocations").asLong() : null;
            Long left = max == null ? null : max - g.path("used").asLong(0);
            boolean gone = List.of("revoked", "expired", "exhausted", "agent_gone").contains(state)
                    || (left != null && left <= 0);
            if (gone || kind.isEmpty()) {
                if (f != null && f.isLive()) {
                    broker.revoke(f.grant().id(), by);
                    changes.add("revoked " + key + " (" + state + " at the checkpoint)");
                }
                continue;
            }
            String rate = g.path("rate").isTextual() ? g.get("rate").asText() : null;
            String expires = g.path("expires_at").isTextual() ? g.get("expires_at").asText() : null;
            if (f != null && f.isLive() && left == null && f.grant().maxInvocations().isEmpty()
                    && Objects.equals(rate, f.grant().rate().map(Rate::toString).orElse(null))
                    && Objects.equals(expires, f.grant().expiresAt().map(Instant::toString).orElse(null))) {
                continue; // as the manifest gives it
            }
            if (f != null && f.isLive()) {
                broker.revoke(f.grant().id(), by);
            }
            GrantRequest r = GrantRequest.of(kind.get(), value);
            if (left != null) {
                r = r.withMaxInvocations(left);
            }
            if (rate != null) {
                r = r.withRate(Rate.parse(rate));
            }
            if (expires != null) {
                r = r.withExpiresAt(Instant.parse(expires));
            }
            broker.grant(agentId, r, by);
            changes.add("granted " + key + (left == null ? "" : " with " + left + " invocation(s) left"));
        }
        // A manifest grant the agent no longer held at the checkpoint.
        for (GrantStatus f : fresh.values()) {
            if (f.isLive()) {
                broker.revoke(f.grant().id(), by);
                changes.add("revoked " + key(f.grant().kind().key(), f.grant().value()) + " (not held at the checkpoint)");
            }
        }
        return changes;
    }

    private static String key(String kind, String value) {
        return kind + " " + value;
    }
}
