package dev.agentd.seccomp;

/**
 * The running kernel lacks what a filter needs: seccomp filtering itself
 * ({@code CONFIG_SECCOMP_FILTER}) or one of the actions the program returns
 * (e.g. {@code SECCOMP_RET_USER_NOTIF}, Linux 5.0). Distinct from a
 * {@link ProfileException}, which is the profile's fault.
 */
public final class SeccompUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    SeccompUnavailableException(String message) {
        super(message);
    }
}
