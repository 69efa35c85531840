package dev.agentd.cgroups.internal;

/** Signals, without native code: this module stays free of jnr-ffi. */
public final class Processes {
    private Processes() {}

    /**
     * SIGKILLs {@code pid} if it still exists. {@link ProcessHandle} checks the
     * start time, so a pid reused since it was listed is not hit; the caller's
     * own pid is skipped (the JDK would throw).
     */
    public static void sigkill(long pid) {
        if (pid == ProcessHandle.current().pid()) {
            return; // callers refuse this case with a clear message first
        }
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
}
