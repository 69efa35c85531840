package dev.agentd.linux;

import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * seccomp(2). Installing a filter affects the calling thread only unless
 * {@link #FLAG_TSYNC} is given.
 *
 * <p>Constants: Linux uapi {@code linux/seccomp.h}.
 */
public final class SeccompSyscall {
    private SeccompSyscall() {}

    static final int SECCOMP_SET_MODE_FILTER = 1;
    static final int SECCOMP_GET_ACTION_AVAIL = 2;
    static final int SECCOMP_GET_NOTIF_SIZES = 3;

    /** Synchronise every thread of the process onto the filter. */
    public static final int FLAG_TSYNC = 1;
    /** Log every action but ALLOW. */
    public static final int FLAG_LOG = 1 << 1;
    /** Do not enable speculative store bypass mitigation. */
    public static final int FLAG_SPEC_ALLOW = 1 << 2;
    /** Return a user-notification listener fd. */
    public static final int FLAG_NEW_LISTENER = 1 << 3;

    /** Size of one classic BPF instruction ({@code struct sock_filter}): u16 code, u8 jt, u8 jf, u32 k. */
    public static final int INSTRUCTION_SIZE = 8;
    /** {@code BPF_MAXINSNS} in {@code include/uapi/linux/bpf_common.h}. */
    public static final int MAX_INSTRUCTIONS = 4096;

    /**
     * Installs {@code program} — classic BPF instructions, each 8 bytes in
     * native byte order as {@code struct sock_filter} — as a seccomp filter.
     * The caller must hold no_new_privs or CAP_SYS_ADMIN.
     *
     * @return the user-notification listener when {@link #FLAG_NEW_LISTENER} was given
     */
    public static Optional<Fd> setModeFilter(byte[] program, int flags) throws SyscallException {
        if (program.length == 0 || program.length % INSTRUCTION_SIZE != 0
                || program.length / INSTRUCTION_SIZE > MAX_INSTRUCTIONS) {
            throw new IllegalArgumentException("not a BPF program of 1.." + MAX_INSTRUCTIONS
                    + " instructions: " + program.length + " bytes");
        }
        Pointer insns = Native.allocate(program.length);
        insns.put(0, program, 0, program.length);
        // struct sock_fprog { unsigned short len; struct sock_filter *filter; }:
        // the pointer is aligned to 8 on both supported 64-bit ABIs.
        Pointer fprog = Native.allocate(16);
        fprog.putShort(0, (short) (program.length / INSTRUCTION_SIZE));
        fprog.putAddress(8, insns.address());
        long r;
        try {
            r = Native.syscall("seccomp", "SECCOMP_SET_MODE_FILTER, " + program.length / INSTRUCTION_SIZE + " instructions",
                    SECCOMP_SET_MODE_FILTER, flags, fprog.address());
        } catch (SyscallException e) {
            if (e.is(Errno.EINVAL)) {
                throw new SyscallException("seccomp", e.errnoNumber(), e.context()
                        + "; the kernel refused the filter or a flag — is CONFIG_SECCOMP_FILTER set?");
            }
            throw e;
        }
        return (flags & FLAG_NEW_LISTENER) != 0 ? Optional.of(new Fd((int) r, "seccomp listener")) : Optional.empty();
    }

    /** Whether the kernel knows filter return action {@code action} (a {@code SECCOMP_RET_*} value). */
    public static boolean actionAvailable(int action) {
        Pointer p = Native.allocate(4);
        p.putInt(0, action);
        try {
            Native.syscall("seccomp", "SECCOMP_GET_ACTION_AVAIL", SECCOMP_GET_ACTION_AVAIL, 0, p.address());
            return true;
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * Whether seccomp filters work here: {@code SECCOMP_GET_ACTION_AVAIL} for
     * {@code SECCOMP_RET_ALLOW} succeeds only with {@code CONFIG_SECCOMP_FILTER}.
     */
    public static boolean filterAvailable() {
        return actionAvailable(0x7fff0000);
    }

    /** Whether user notification ({@code SECCOMP_RET_USER_NOTIF}) is available. */
    public static boolean userNotificationAvailable() {
        return actionAvailable(0x7fc00000);
    }
}
