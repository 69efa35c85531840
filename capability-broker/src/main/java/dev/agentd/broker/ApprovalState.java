package dev.agentd.broker;

/** Where an {@link ApprovalRequest} is in its life. */
public enum ApprovalState {
    /** Waiting for a person. */
    PENDING,
    /** Approved and not yet used. */
    APPROVED,
    DENIED,
    /** Nobody decided before {@code expiresAt}, or it was approved but not used before then. */
    EXPIRED,
    /** Approved and used by {@link Broker#consumeApproval}: an approval allows one call. */
    CONSUMED
}
