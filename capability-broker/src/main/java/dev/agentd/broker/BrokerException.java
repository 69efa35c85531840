package dev.agentd.broker;

/**
 * The broker could not do what was asked for a reason that is not the caller's request: the
 * database failed, the audit listener refused an event, the key file is unusable. Nothing was
 * changed when this is thrown (the transaction is rolled back).
 */
public class BrokerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
