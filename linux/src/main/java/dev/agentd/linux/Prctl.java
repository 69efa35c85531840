package dev.agentd.linux;

/**
 * prctl(2) operations. All of them act on the calling thread only.
 *
 * <p>Option numbers: Linux uapi {@code linux/prctl.h}.
 */
public final class Prctl {
    private Prctl() {}

    static final int PR_CAPBSET_READ = 23;
    static final int PR_CAPBSET_DROP = 24;
    static final int PR_GET_SECCOMP = 21;
    static final int PR_SET_NO_NEW_PRIVS = 38;
    static final int PR_GET_NO_NEW_PRIVS = 39;
    static final int PR_SET_PDEATHSIG = 1;
    static final int PR_SET_CHILD_SUBREAPER = 36;
    static final int PR_CAP_AMBIENT = 47;
    static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;

    /**
     * Sets no_new_privs on the calling thread: execve can no longer grant
     * privileges (setuid bits, file caps), which is what lets an unprivileged
     * thread install a seccomp filter or a Landlock domain.
     */
    public static void setNoNewPrivs() throws SyscallException {
        Native.check(Native.libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl", "PR_SET_NO_NEW_PRIVS");
    }

    /** Whether the calling thread has no_new_privs. */
    public static boolean noNewPrivs() throws SyscallException {
        return Native.check(Native.libc().prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), "prctl", "PR_GET_NO_NEW_PRIVS") == 1;
    }

    /** The calling thread's seccomp mode: 0 none, 1 strict, 2 filter. */
    public static int seccompMode() throws SyscallException {
        return Native.check(Native.libc().prctl(PR_GET_SECCOMP, 0, 0, 0, 0), "prctl", "PR_GET_SECCOMP");
    }

    /** Removes {@code capability} from the calling thread's bounding set. */
    public static void dropBoundingCapability(int capability) throws SyscallException {
        Native.check(Native.libc().prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl", "PR_CAPBSET_DROP cap=" + capability);
    }

    /** Whether {@code capability} is in the calling thread's bounding set; false for one this kernel lacks. */
    public static boolean inBoundingSet(int capability) {
        return Native.libc().prctl(PR_CAPBSET_READ, capability, 0, 0, 0) == 1;
    }

    /** Clears the calling thread's ambient capability set. */
    public static void clearAmbientCapabilities() throws SyscallException {
        Native.check(Native.libc().prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
    }

    /** Makes the calling thread a child subreaper: orphans below it are reparented to it. */
    public static void setChildSubreaper() throws SyscallException {
        Native.check(Native.libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), "prctl", "PR_SET_CHILD_SUBREAPER");
    }
}
