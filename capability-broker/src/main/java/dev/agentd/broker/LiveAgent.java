package dev.agentd.broker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * An agent as decisions see it. Its fields change only after a commit, under the database lock;
 * its grant lists are replaced whole (copy on write), so a reader never needs a lock.
 */
final class LiveAgent {
    final String id;
    final String parentId;
    final Principal onBehalfOf;
    volatile String forgottenAt;
    private volatile List<LiveGrant> all = List.of();
    private volatile Map<GrantKind, List<LiveGrant>> byKind = Map.of();

    LiveAgent(String id, String parentId, Principal onBehalfOf, String forgottenAt) {
        this.id = id;
        this.parentId = parentId;
        this.onBehalfOf = onBehalfOf;
        this.forgottenAt = forgottenAt;
    }

    /** Every grant of the agent, by id. */
    List<LiveGrant> all() {
        return all;
    }

    List<LiveGrant> ofKind(GrantKind kind) {
        return byKind.getOrDefault(kind, List.of());
    }

    void add(LiveGrant g) {
        List<LiveGrant> a = new ArrayList<>(all);
        a.add(g);
        Map<GrantKind, List<LiveGrant>> k = new EnumMap<>(GrantKind.class);
        for (LiveGrant x : a) {
            k.computeIfAbsent(x.grant.kind(), kk -> new ArrayList<>()).add(x);
        }
        all = List.copyOf(a);
        byKind = k;
    }
}
