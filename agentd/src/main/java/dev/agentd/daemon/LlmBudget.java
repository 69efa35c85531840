package dev.agentd.daemon;

import dev.agentd.toolcall.tools.TokenBudget;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Each agent's LLM token budget, persisted: used tokens are written to
 * SQLite as calls settle, so a restarted agentd does not refill anyone's
 * budget. Reservations (calls in flight) live in memory only: a crash ends
 * those calls anyway.
 */
final class LlmBudget implements TokenBudget {
    private final Store store;
    private final long limit;
    private final Map<String, Long> reserved = new HashMap<>();

    LlmBudget(Store store, long limit) {
        this.store = store;
        this.limit = limit;
    }

    @Override
    public synchronized boolean reserve(String agentId, String provider, long tokens) {
        long used = usedOf(agentId);
        long held = reserved.getOrDefault(agentId, 0L);
        if (used + held + tokens > limit) {
            return false;
        }
        reserved.put(agentId, held + tokens);
        return true;
    }

    @Override
    public synchronized void settle(String agentId, String provider, long reservedTokens, long used) {
        reserved.merge(agentId, -reservedTokens, Long::sum);
        try {
            store.addLlmUsage(agentId, provider, used);
        } catch (IOException e) {
            System.err.println("agentd: could not record LLM usage of " + agentId + ": " + e.getMessage());
        }
    }

    synchronized long usedOf(String agentId) {
        try {
            return store.llmUsage(agentId);
        } catch (IOException e) {
            return Long.MAX_VALUE / 2; // fail closed: no budget when it cannot be read
        }
    }
}
