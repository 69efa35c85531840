package dev.agentd.toolcall.tools;

/**
 * Per-agent, per-provider token accounting for {@code llm_complete}. A call
 * first {@link #reserve reserves} the most it could use, so concurrent calls
 * cannot together overspend; afterwards it {@link #settle settles} with what
 * the provider reported, returning the difference. Implementations are
 * thread-safe. agentd will provide a persistent one; {@link InMemoryTokenBudget}
 * is the in-memory one.
 */
public interface TokenBudget {
    /** Reserves {@code tokens} for one call; false (and nothing reserved) when that would exceed the budget. */
    boolean reserve(String agentId, String provider, long tokens);

    /**
     * Ends a reservation of {@code reserved} tokens that really used {@code used}
     * (which may be more than reserved: prompt estimates are estimates).
     */
    void settle(String agentId, String provider, long reserved, long used);

    /** A budget that allows everything and counts nothing. */
    static TokenBudget unlimited() {
        return new TokenBudget() {
            @Override
            public boolean reserve(String agentId, String provider, long tokens) {
                return true;
            }

            @Override
            public void settle(String agentId, String provider, long reserved, long used) {
                // nothing is counted
            }
        };
    }
}
