package dev.agentd.toolcall;

/**
 * agentd's audit hook. {@link #onCall} runs on the thread that produced the answer,
 * BEFORE the answer is queued for the socket: once an agent has seen a result, its
 * record exists, even if agentd is killed right after. A listener that throws makes
 * the gateway answer with an internal error instead of the result (fail closed: no
 * unaudited results).
 */
@FunctionalInterface
public interface CallListener {
    void onCall(CallRecord record);

    /** A connection was refused (wrong uid, pid outside the agent's cgroup, too many connections). */
    default void onConnectionRefused(String agentId, String reason) {}

    CallListener NONE = r -> {};
}
