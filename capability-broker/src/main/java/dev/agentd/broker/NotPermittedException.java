package dev.agentd.broker;

/**
 * The principal may not do this, e.g. an agent revoking a grant outside its own subtree of agents,
 * or an agent approving a call.
 */
public final class NotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotPermittedException(Principal by, String action, String why) {
        super(by + " may not " + action + ": " + why);
    }
}
