package dev.agentd.linux;

import jnr.ffi.byref.IntByReference;

/** Process and thread identity, signals and reaping. */
public final class ProcessSyscall {
    private ProcessSyscall() {}

    /** SIGKILL, SIGTERM: same numbers on x86_64 and aarch64 ({@code asm-generic/signal.h}). */
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;

    /** The calling thread's id (the kernel's task id, the number {@code /proc/self/task} lists). */
    public static int gettid() {
        try {
            return (int) Native.syscall("gettid", "");
        } catch (SyscallException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code signal} to {@code pid}. */
    public static void kill(int pid, int signal) throws SyscallException {
        Native.check(Native.libc().kill(pid, signal), "kill", "pid=" + pid + ", signal=" + signal);
    }

    /** Waits for child {@code pid} to end and reaps it. */
    public static WaitStatus waitFor(int pid) throws SyscallException {
        IntByReference status = new IntByReference();
        while (true) {
            int r = Native.libc().waitpid(pid, status, 0);
            if (r >= 0) {
                return WaitStatus.decode(r, status.getValue());
            }
            int errno = Native.errno();
            if (errno != Errno.EINTR.number()) {
                throw new SyscallException("waitpid", errno, "pid=" + pid);
            }
        }
    }

    /**
     * Initialises, on the calling thread, every lazy part of the native
     * binding. Call it before a thread restricts itself (after
     * {@code unshare(CLONE_NEWPID)} the thread cannot start the threads a lazy
     * initialisation may want; after Landlock it may not read class files).
     */
    public static void warmUp() {
        Native.warmUp();
        gettid();
    }
}
