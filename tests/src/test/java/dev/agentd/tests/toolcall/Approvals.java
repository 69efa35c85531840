package dev.agentd.tests.toolcall;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code approval.list} as the tests need it. */
final class Approvals {
    private Approvals() {}

    /** The pending approval requests of {@code agent}. */
    static List<JsonNode> pending(Agentd agentd, String agent) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode a : agentd.call("approval.list", Map.of()).path("approvals")) {
            if (agent.equals(a.path("agent").asText()) && "pending".equals(a.path("state").asText())) {
                out.add(a);
            }
        }
        return out;
    }

    /** Waits (at most 30 s) for a pending approval of {@code agent} whose id is not in {@code seen}. */
    static JsonNode awaitPending(Agentd agentd, String agent, List<String> seen) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            for (JsonNode a : pending(agentd, agent)) {
                if (!seen.contains(a.path("id").asText())) {
                    return a;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no new pending approval for " + agent + ": " + agentd.call("approval.list", Map.of()));
            }
            Agentd.sleep(20);
        }
    }
}
