package dev.agentd.broker;

/** What {@link Broker#await} saw. */
public enum ApprovalOutcome {
    APPROVED,
    DENIED,
    /** The request's own time to live ran out (by the broker's clock). */
    EXPIRED,
    /** The caller's wait ran out; the request may still be decided later. */
    TIMED_OUT
}
