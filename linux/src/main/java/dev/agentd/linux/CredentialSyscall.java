package dev.agentd.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * Per-thread credential changes.
 *
 * <p>glibc's {@code setuid}/{@code setresuid}/{@code setgroups} wrappers (and
 * jnr-posix's) broadcast the change to every thread of the process, which in
 * agentd would drop the whole supervisor's privileges. The raw system calls
 * change only the calling thread (kernel-facts.md), so these use
 * {@code syscall(SYS_setresuid, ...)}.
 */
public final class CredentialSyscall {
    private CredentialSyscall() {}

    /** {@code _LINUX_CAPABILITY_VERSION_3} in uapi {@code linux/capability.h}. */
    private static final int CAPABILITY_VERSION_3 = 0x20080522;

    public static void setresgid(int gid) throws SyscallException {
        Native.syscall("setresgid", "gid=" + gid, gid, gid, gid);
    }

    public static void setresuid(int uid) throws SyscallException {
        Native.syscall("setresuid", "uid=" + uid, uid, uid, uid);
    }

    /** Clears the calling thread's supplementary groups. */
    public static void clearGroups() throws SyscallException {
        Native.syscall("setgroups", "size=0", 0, 0);
    }

    /**
     * Clears the calling thread's effective, permitted and inheritable
     * capability sets with capset(2) (pid 0 means the calling thread).
     */
    public static void clearCapabilities() throws SyscallException {
        Pointer header = Native.allocate(8);
        header.putInt(0, CAPABILITY_VERSION_3);
        header.putInt(4, 0);
        Pointer data = Native.allocate(24); // two struct __user_cap_data_struct, all zero
        Native.syscall("capset", "all sets empty", header.address(), data.address());
    }

    /**
     * The highest capability number this kernel knows ({@code /proc/sys/kernel/cap_last_cap}).
     *
     * <p>Read in a single {@code read}: a sysctl file answers a read at a
     * non-zero offset with end-of-file, and {@code Files.readString} reads a
     * zero-sized file one byte first — it returned "4" for "40" here, which
     * would have left 36 capabilities in the bounding set.
     */
    public static int lastCapability() throws IOException {
        return Integer.parseInt(readSysctl(Path.of("/proc/sys/kernel/cap_last_cap")));
    }

    /** A sysctl value, read in one call (see {@link #lastCapability()}). */
    static String readSysctl(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[4096];
            int n = in.read(buf);
            if (n <= 0) {
                throw new IOException("empty sysctl " + file);
            }
            return new String(buf, 0, n, StandardCharsets.US_ASCII).trim();
        }
    }

    /**
     * Drops every capability from the calling thread's bounding set and
     * ambient set. Needs CAP_SETPCAP, so it must run before the thread
     * changes to an unprivileged uid.
     */
    public static void dropBoundingSet(int lastCapability) throws SyscallException {
        for (int cap = 0; cap <= lastCapability; cap++) {
            Prctl.dropBoundingCapability(cap);
        }
        Prctl.clearAmbientCapabilities();
    }
}
