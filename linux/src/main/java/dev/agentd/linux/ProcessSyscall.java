package dev.agentd.linux;

import jnr.ffi.byref.IntByReference;

/** Process and thread identity, signals and reaping. */
public final class ProcessSyscall {
    private ProcessSyscall() {}

    /** SIGKILL, SIGTERM: same numbers on x86_64 and aarch64 ({@code asm-generic/signal.h}). */
    public static final int SIGKILL = 9;
    public static final int SIGTERM = 15;
    /** Resumes a stopped process (CRIU leaves a dumped tree stopped). */
    public static final int SIGCONT = 18;

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
     * A pidfd for {@code pid} (pidfd_open, Linux 5.3): a handle that cannot be
     * confused with a later process that reuses the number.
     */
    public static Fd pidfdOpen(int pid) throws SyscallException {
        return new Fd((int) Native.syscall("pidfd_open", "pid=" + pid, pid, 0), "pidfd " + pid);
    }

    /**
     * A copy, in this process, of descriptor {@code fd} of the process
     * {@code pidfd} names (pidfd_getfd, Linux 5.6; needs ptrace access to it),
     * close-on-exec.
     */
    public static Fd pidfdGetfd(Fd pidfd, int fd) throws SyscallException {
        return new Fd((int) Native.syscall("pidfd_getfd", "pidfd=" + pidfd.number() + ", fd=" + fd, pidfd.number(), fd, 0),
                "fd " + fd + " of pidfd " + pidfd.number());
    }

    /** Sends {@code signal} through a pidfd (pidfd_send_signal, Linux 5.1). */
    public static void pidfdSendSignal(Fd pidfd, int signal) throws SyscallException {
        Native.syscall("pidfd_send_signal", "pidfd=" + pidfd.number() + ", signal=" + signal, pidfd.number(), signal, 0, 0);
    }

    /** Whether {@code pid} has ended but not been reaped, or has gone: {@code waitpid(WNOHANG)} for a child. */
    public static WaitStatus pollChild(int pid) throws SyscallException {
        IntByReference status = new IntByReference();
        int r = Native.libc().waitpid(pid, status, 1 /* WNOHANG */);
        if (r < 0) {
            throw new SyscallException("waitpid", Native.errno(), "pid=" + pid);
        }
        return r == 0 ? null : WaitStatus.decode(r, status.getValue());
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
