package dev.agentd.linux;

import java.nio.file.Path;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * {@code ioctl(pidfd, PIDFD_GET_INFO)} (uapi {@code linux/pidfd.h}, Linux ≥ 6.13)
 * with {@code PIDFD_INFO_EXIT} (Linux ≥ 6.15): how a process ended, told to
 * anyone holding a pidfd of it — not only to its parent. The kernel records
 * the exit status when the process is reaped, for every pidfd then open, and
 * keeps it as long as one is; so a pidfd opened while the process ran still
 * says how it ended after some other process (its new parent) reaped it.
 */
public final class PidfdInfo {
    private PidfdInfo() {}

    /** {@code _IOWR(PIDFS_IOCTL_MAGIC 0xFF, 11, struct pidfd_info)} for the first, 64-byte struct. */
    static final long PIDFD_GET_INFO = 0xC040FF0BL;
    /** {@code struct pidfd_info} as first published ({@code PIDFD_INFO_SIZE_VER0}). */
    static final int SIZE = 64;
    /** Mask bit: return the exit status (only when asked, and only once the process was reaped). */
    static final long PIDFD_INFO_EXIT = 1L << 3;
    /** Offsets in the struct: {@code __u64 mask} at 0, {@code __s32 exit_code} at 60 (after cgroupid, pid … fsgid). */
    static final int MASK_OFFSET = 0;
    static final int EXIT_CODE_OFFSET = 60;

    private static volatile Boolean exitSupported;

    /**
     * How the process of {@code pidfd} ended, once it has been reaped; empty
     * while it runs or is a zombie nobody has reaped yet, and on a kernel
     * without {@code PIDFD_INFO_EXIT}.
     */
    public static Optional<WaitStatus> exit(Fd pidfd) throws SyscallException {
        Pointer info = Native.allocate(SIZE);
        info.putLong(MASK_OFFSET, PIDFD_INFO_EXIT);
        try {
            Native.syscall("ioctl", "pidfd=" + pidfd.number() + ", PIDFD_GET_INFO", pidfd.number(), PIDFD_GET_INFO,
                    info.address());
        } catch (SyscallException e) {
            // ESRCH: reaped, and the kernel kept no exit status (Linux 6.13 and 6.14);
            // ENOTTY/EINVAL: no PIDFD_GET_INFO at all (before 6.13).
            if (e.is(Errno.ESRCH) || e.is(Errno.ENOTTY) || e.is(Errno.EINVAL)) {
                return Optional.empty();
            }
            throw e;
        }
        return decode(info.getLong(MASK_OFFSET), info.getInt(EXIT_CODE_OFFSET));
    }

    /** The answer's mask and {@code exit_code} (a {@code wait(2)} status word) as a status, when the mask has it. */
    static Optional<WaitStatus> decode(long mask, int exitCode) {
        return (mask & PIDFD_INFO_EXIT) == 0 ? Optional.empty() : Optional.of(WaitStatus.decode(0, exitCode));
    }

    /**
     * Whether this kernel keeps exit statuses for pidfds: a real probe, once
     * per JVM — a child that exits 0 at once, reaped, then asked through its pidfd.
     */
    public static boolean exitSupported() {
        Boolean s = exitSupported;
        if (s == null) {
            s = probe();
            exitSupported = s;
        }
        return s;
    }

    private static boolean probe() {
        try {
            int pid = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "exit 3").closeFrom(3).start();
            try (Fd pidfd = ProcessSyscall.pidfdOpen(pid)) {
                ProcessSyscall.waitFor(pid);
                Optional<WaitStatus> s = exit(pidfd);
                return s.isPresent() && s.get().exited() && s.get().exitCode() == 3;
            }
        } catch (SyscallException | RuntimeException e) {
            return false;
        }
    }
}
