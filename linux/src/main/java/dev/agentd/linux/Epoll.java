package dev.agentd.linux;

import jnr.ffi.Pointer;

/**
 * An epoll instance (epoll_create1, epoll_ctl, epoll_pwait): one thread waits
 * for many descriptors — pidfds, which become readable when their process
 * ends, and the like. Each descriptor is registered with a caller's token,
 * which {@link #await} hands back. Registering and removing are safe from any
 * thread while another waits. {@link #wakeUp()} ends a wait early (through an
 * eventfd registered under a reserved token that {@code await} never returns).
 */
public final class Epoll implements AutoCloseable {
    private static final int EPOLL_CLOEXEC = 02000000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLLIN = 0x001;
    private static final int EFD_CLOEXEC = 02000000;
    private static final int EFD_NONBLOCK = 04000;
    /** {@code struct epoll_event} is packed on x86_64 (12 bytes), naturally aligned elsewhere (16). */
    private static final boolean PACKED = Arch.current() == Arch.X86_64;
    private static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;
    private static final long WAKE_TOKEN = Long.MIN_VALUE;

    private final Fd epfd;
    private final Fd wake;
    private final Pointer one = Native.allocate(EVENT_SIZE);
    private Pointer events;
    private int capacity;

    private Epoll(Fd epfd, Fd wake) {
        this.epfd = epfd;
        this.wake = wake;
    }

    /** A new epoll instance, close-on-exec, with its wake-up eventfd registered. */
    public static Epoll create() throws SyscallException {
        Fd ep = new Fd((int) Native.syscall("epoll_create1", "", EPOLL_CLOEXEC), "epoll");
        try {
            Fd wake = new Fd((int) Native.syscall("eventfd2", "", 0, EFD_CLOEXEC | EFD_NONBLOCK), "epoll wake-up eventfd");
            Epoll e = new Epoll(ep, wake);
            try {
                e.ctl(EPOLL_CTL_ADD, wake.number(), WAKE_TOKEN);
            } catch (SyscallException ex) {
                wake.close();
                throw ex;
            }
            return e;
        } catch (SyscallException ex) {
            ep.close();
            throw ex;
        }
    }

    /**
     * Watches {@code fd} for readability, reported as {@code token}; level-triggered,
     * so a descriptor stays reported until it is removed.
     */
    public void add(Fd fd, long token) throws SyscallException {
        if (token == WAKE_TOKEN) {
            throw new IllegalArgumentException("token " + token + " is reserved");
        }
        ctl(EPOLL_CTL_ADD, fd.number(), token);
    }

    /** Stops watching {@code fd}; a descriptor no longer registered (or closed) is ignored. */
    public void remove(Fd fd) {
        try {
            Native.syscall("epoll_ctl", "op=DEL, fd=" + fd.number(), epfd.number(), EPOLL_CTL_DEL, fd.number(), 0);
        } catch (SyscallException e) {
            // ENOENT or EBADF: not registered any more, which is what was asked
        }
    }

    private void ctl(int op, int fd, long token) throws SyscallException {
        synchronized (one) {
            one.putInt(0, EPOLLIN);
            one.putLong(DATA_OFFSET, token);
            Native.syscall("epoll_ctl", "op=" + op + ", fd=" + fd, epfd.number(), op, fd, one.address());
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: without limit) for registered
     * descriptors to become readable and stores their tokens in {@code tokens}.
     * One thread at a time.
     *
     * @return how many tokens were stored; 0 after a timeout, a signal or {@link #wakeUp()}
     */
    public synchronized int await(long[] tokens, int timeoutMillis) throws SyscallException {
        if (capacity < tokens.length) {
            capacity = tokens.length;
            events = Native.allocate(capacity * EVENT_SIZE);
        }
        long n = Native.libc().syscall(Native.nr("epoll_pwait"), epfd.number(), events.address(), tokens.length,
                timeoutMillis, 0, 8);
        if (n < 0) {
            int errno = Native.errno();
            if (errno == Errno.EINTR.number()) {
                return 0;
            }
            throw new SyscallException("epoll_pwait", errno, "epfd=" + epfd.number());
        }
        int out = 0;
        for (int i = 0; i < n; i++) {
            long token = events.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
            if (token == WAKE_TOKEN) {
                drainWake();
            } else {
                tokens[out++] = token;
            }
        }
        return out;
    }

    /** Ends a current or the next {@link #await} early. Safe from any thread. */
    public void wakeUp() {
        Pointer v = Native.allocate(8);
        v.putLong(0, 1);
        Native.libc().write(wake.number(), v, 8);
    }

    private void drainWake() {
        Pointer v = Native.allocate(8);
        Native.libc().read(wake.number(), v, 8);
    }

    @Override
    public void close() {
        wake.close();
        epfd.close();
    }
}
