package dev.agentd.linux;

import jnr.ffi.Pointer;

/**
 * prlimit(2). Resource limits belong to a whole process (all its threads),
 * so a JVM sets them on a child by pid, never on itself.
 *
 * <p>RLIMIT_* numbers: uapi {@code asm-generic/resource.h}.
 */
public final class ResourceLimitSyscall {
    private ResourceLimitSyscall() {}

    public enum Resource {
        CPU(0), FSIZE(1), DATA(2), STACK(3), CORE(4), NPROC(6), NOFILE(7), MEMLOCK(8), AS(9);

        private final int number;

        Resource(int number) {
            this.number = number;
        }
    }

    /** RLIM_INFINITY. */
    public static final long UNLIMITED = -1L;

    public static void prlimit(int pid, Resource resource, long soft, long hard) throws SyscallException {
        Pointer limit = Native.allocate(16);
        limit.putLong(0, soft);
        limit.putLong(8, hard);
        Native.syscall("prlimit64", "pid=" + pid + ", resource=" + resource, pid, resource.number, limit.address(), 0);
    }
}
