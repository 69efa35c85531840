package dev.agentd.seccomp;

import dev.agentd.linux.Errno;

/**
 * What a seccomp filter answers for a system call: an action and its 16-bit
 * data (the errno for {@link Type#ERRNO}, the tracer's message for
 * {@link Type#TRACE}).
 *
 * <p>The 32-bit value a filter returns is {@code action | data}; the values
 * are the {@code SECCOMP_RET_*} constants of Linux uapi
 * {@code include/uapi/linux/seccomp.h}.
 *
 * @param type the action
 * @param data the low 16 bits of the return value ({@code SECCOMP_RET_DATA})
 */
public record Action(Type type, int data) {

    /** {@code SECCOMP_RET_ACTION_FULL}: the action bits of a return value. */
    static final int RET_ACTION_FULL = 0xffff0000;
    /** {@code SECCOMP_RET_DATA}: the data bits of a return value. */
    static final int RET_DATA = 0x0000ffff;
    /**
     * {@code MAX_ERRNO} in {@code include/linux/err.h}: the kernel caps the
     * errno of {@code SECCOMP_RET_ERRNO} at this value, so a larger one is a
     * mistake in the profile.
     */
    static final int MAX_ERRNO = 4095;

    /**
     * The seccomp actions, in the kernel's order of precedence: when several
     * answers compete, the kernel keeps the one whose action value is lowest
     * as a signed 32-bit number ({@code kernel/seccomp.c},
     * {@code seccomp_run_filters}), so {@link #KILL_PROCESS} beats everything
     * and {@link #ALLOW} nothing.
     */
    public enum Type {
        /** {@code SECCOMP_RET_KILL_PROCESS} (Linux 4.14): the whole process dies of SIGSYS. */
        KILL_PROCESS(0x80000000, "SCMP_ACT_KILL_PROCESS"),
        /** {@code SECCOMP_RET_KILL_THREAD} (= {@code SECCOMP_RET_KILL}): the thread dies of SIGSYS. */
        KILL_THREAD(0x00000000, "SCMP_ACT_KILL_THREAD"),
        /** {@code SECCOMP_RET_TRAP}: a SIGSYS is delivered; the data goes to {@code si_errno}. */
        TRAP(0x00030000, "SCMP_ACT_TRAP"),
        /** {@code SECCOMP_RET_ERRNO}: the call fails with errno = data, without running. */
        ERRNO(0x00050000, "SCMP_ACT_ERRNO"),
        /** {@code SECCOMP_RET_USER_NOTIF} (Linux 5.0): a supervisor holding the listener fd decides. */
        NOTIFY(0x7fc00000, "SCMP_ACT_NOTIFY"),
        /** {@code SECCOMP_RET_TRACE}: a ptrace tracer is notified with the data; without one the call fails with ENOSYS. */
        TRACE(0x7ff00000, "SCMP_ACT_TRACE"),
        /** {@code SECCOMP_RET_LOG} (Linux 4.14): allowed and logged. */
        LOG(0x7ffc0000, "SCMP_ACT_LOG"),
        /** {@code SECCOMP_RET_ALLOW}: the call runs. */
        ALLOW(0x7fff0000, "SCMP_ACT_ALLOW");

        private final int value;
        private final String scmpName;

        Type(int value, String scmpName) {
            this.value = value;
            this.scmpName = scmpName;
        }

        /** The {@code SECCOMP_RET_*} action bits. */
        public int value() {
            return value;
        }

        /** The libseccomp / OCI spelling, e.g. {@code SCMP_ACT_ERRNO}. */
        public String scmpName() {
            return scmpName;
        }

        /** Whether OCI's {@code errnoRet} may be given with this action (runtime-spec config-linux.md). */
        boolean takesErrnoRet() {
            return this == ERRNO || this == TRACE;
        }
    }

    /** Let the call run. */
    public static final Action ALLOW = new Action(Type.ALLOW, 0);
    /** Let the call run and log it. */
    public static final Action LOG = new Action(Type.LOG, 0);
    /** Kill the whole process. */
    public static final Action KILL_PROCESS = new Action(Type.KILL_PROCESS, 0);
    /** Kill the calling thread. */
    public static final Action KILL_THREAD = new Action(Type.KILL_THREAD, 0);
    /** Deliver SIGSYS. */
    public static final Action TRAP = new Action(Type.TRAP, 0);
    /** Ask the user-notification listener. */
    public static final Action NOTIFY = new Action(Type.NOTIFY, 0);

    /** Checks that {@code data} fits {@code SECCOMP_RET_DATA}. */
    public Action {
        if (type == null) {
            throw new NullPointerException("type");
        }
        if ((data & ~RET_DATA) != 0) {
            throw new IllegalArgumentException("seccomp action data must fit 16 bits (SECCOMP_RET_DATA): " + data);
        }
    }

    /** Fail the call with {@code errno}. */
    public static Action errno(int errno) {
        if (errno < 0 || errno > MAX_ERRNO) {
            throw new IllegalArgumentException("errno must be 0.." + MAX_ERRNO + " (MAX_ERRNO): " + errno);
        }
        return new Action(Type.ERRNO, errno);
    }

    /** Fail the call with {@code errno}. */
    public static Action errno(Errno errno) {
        return errno(errno.number());
    }

    /** Notify a ptrace tracer, passing {@code data}. */
    public static Action trace(int data) {
        return new Action(Type.TRACE, data);
    }

    /** The 32-bit value a filter returns for this action. */
    public int returnValue() {
        return type.value | data;
    }

    /**
     * The action the kernel takes for filter return value {@code ret}. An
     * action value the kernel does not know is treated as
     * {@link Type#KILL_PROCESS}, as {@code __seccomp_filter} does.
     */
    public static Action ofReturnValue(int ret) {
        int action = ret & RET_ACTION_FULL;
        for (Type t : Type.values()) {
            if (t.value == action) {
                return new Action(t, ret & RET_DATA);
            }
        }
        return KILL_PROCESS;
    }

    /**
     * Orders by the kernel's precedence: negative when this action wins over
     * {@code other}. Equal types compare equal whatever their data.
     */
    int comparePrecedence(Action other) {
        return Integer.compare(type.value, other.type.value);
    }

    /** {@code ALLOW}, {@code ERRNO(1)}, {@code TRACE(7)}, {@code KILL_PROCESS}. */
    @Override
    public String toString() {
        if (type == Type.ERRNO || type == Type.TRACE || data != 0) {
            return type.name() + "(" + data + ")";
        }
        return type.name();
    }

    /** Like {@link #toString()} with the errno's name, e.g. {@code ERRNO(1) EPERM}. */
    String describe() {
        if (type == Type.ERRNO) {
            Errno e = Errno.of(data);
            return this + (e == null ? "" : " " + e.name());
        }
        return toString();
    }
}
