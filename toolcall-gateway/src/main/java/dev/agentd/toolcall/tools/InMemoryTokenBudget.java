package dev.agentd.toolcall.tools;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * A {@link TokenBudget} kept in memory: each (agent, provider) pair has a limit
 * of tokens over the life of this object; used plus reserved tokens may not
 * exceed it. Lost on restart — agentd will persist its own.
 */
public final class InMemoryTokenBudget implements TokenBudget {
    private record Key(String agentId, String provider) {}

    private static final class Account {
        long used;
        long reserved;
    }

    private final BiFunction<String, String, OptionalLong> limits;
    private final Map<Key, Account> accounts = new HashMap<>();

    /**
     * @param limits the limit for (agentId, provider); empty means unlimited (still counted)
     */
    public InMemoryTokenBudget(BiFunction<String, String, OptionalLong> limits) {
        this.limits = limits;
    }

    /** The same limit for every agent and provider. */
    public static InMemoryTokenBudget perAgent(long limit) {
        return new InMemoryTokenBudget((a, p) -> OptionalLong.of(limit));
    }

    @Override
    public synchronized boolean reserve(String agentId, String provider, long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
        }
        Account a = accounts.computeIfAbsent(new Key(agentId, provider), k -> new Account());
        OptionalLong limit = limits.apply(agentId, provider);
        if (limit.isPresent() && a.used + a.reserved + tokens > limit.getAsLong()) {
            return false;
        }
        a.reserved += tokens;
        return true;
    }

    @Override
    public synchronized void settle(String agentId, String provider, long reserved, long used) {
        Account a = accounts.computeIfAbsent(new Key(agentId, provider), k -> new Account());
        a.reserved = Math.max(0, a.reserved - reserved);
        a.used += Math.max(0, used);
    }

    /** Tokens used so far (settled calls). */
    public synchronized long used(String agentId, String provider) {
        Account a = accounts.get(new Key(agentId, provider));
        return a == null ? 0 : a.used;
    }

    /** Tokens reserved by calls in flight. */
    public synchronized long reserved(String agentId, String provider) {
        Account a = accounts.get(new Key(agentId, provider));
        return a == null ? 0 : a.reserved;
    }
}
