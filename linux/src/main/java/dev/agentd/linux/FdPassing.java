package dev.agentd.linux;

import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * Descriptors sent as {@code SCM_RIGHTS} over a datagram Unix socket pair. A
 * descriptor in flight lives in the receiving socket's queue as long as some
 * process holds that socket, even after the sender's end is closed: a place to
 * park a descriptor where it outlives the process that parked it.
 */
public final class FdPassing {
    private FdPassing() {}

    // uapi: AF_UNIX 1, SOCK_DGRAM 2, SOCK_CLOEXEC = O_CLOEXEC, SOL_SOCKET 1, SCM_RIGHTS 1,
    // MSG_PEEK 2, MSG_DONTWAIT 0x40, MSG_CMSG_CLOEXEC 0x40000000 (x86_64 and aarch64).
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_PEEK = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;

    // LP64 layouts: struct iovec {void *base; size_t len} (16); struct msghdr {void *name;
    // socklen_t namelen; struct iovec *iov; size_t iovlen; void *control; size_t controllen;
    // int flags} (56); struct cmsghdr {size_t len; int level; int type} (16) + one int,
    // CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24.
    private static final int MSGHDR = 56;
    private static final int CMSG_HEADER = 16;
    private static final int CMSG_LEN_ONE_FD = 20;
    private static final int CMSG_SPACE_ONE_FD = 24;

    /** A connected pair of datagram Unix sockets, both close-on-exec (a child gets its end by dup2). */
    public static Fd[] socketPair() throws SyscallException {
        Pointer fds = Native.allocate(8);
        Native.syscall("socketpair", "AF_UNIX, SOCK_DGRAM", AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds.address());
        return new Fd[] {new Fd(fds.getInt(0), "socket pair end 0"), new Fd(fds.getInt(4), "socket pair end 1")};
    }

    /** Sends one byte carrying {@code fd} over {@code socket}. */
    public static void send(Fd socket, Fd fd) throws SyscallException {
        Pointer data = Native.allocate(1);
        data.putByte(0, (byte) 'F');
        Pointer iov = Native.allocate(16);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        Pointer control = Native.allocate(CMSG_SPACE_ONE_FD);
        control.putLong(0, CMSG_LEN_ONE_FD);
        control.putInt(8, SOL_SOCKET);
        control.putInt(12, SCM_RIGHTS);
        control.putInt(CMSG_HEADER, fd.number());
        Pointer msg = Native.allocate(MSGHDR);
        msg.putAddress(16, iov.address());
        msg.putLong(24, 1);
        msg.putAddress(32, control.address());
        msg.putLong(40, CMSG_SPACE_ONE_FD);
        Native.syscall("sendmsg", "socket=" + socket.number() + ", SCM_RIGHTS " + fd.number(), socket.number(),
                msg.address(), 0);
    }

    /**
     * A copy of the descriptor the first queued message on {@code socket}
     * carries, leaving the message queued ({@code MSG_PEEK}: the kernel
     * duplicates a peeked message's descriptors); empty when nothing is queued
     * or the message carries none. Does not block.
     */
    public static Optional<Fd> peek(Fd socket) throws SyscallException {
        Pointer data = Native.allocate(1);
        Pointer iov = Native.allocate(16);
        iov.putAddress(0, data.address());
        iov.putLong(8, 1);
        Pointer control = Native.allocate(CMSG_SPACE_ONE_FD);
        Pointer msg = Native.allocate(MSGHDR);
        msg.putAddress(16, iov.address());
        msg.putLong(24, 1);
        msg.putAddress(32, control.address());
        msg.putLong(40, CMSG_SPACE_ONE_FD);
        try {
            Native.syscall("recvmsg", "socket=" + socket.number() + ", MSG_PEEK", socket.number(), msg.address(),
                    MSG_PEEK | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        } catch (SyscallException e) {
            if (e.is(Errno.EAGAIN)) {
                return Optional.empty();
            }
            throw e;
        }
        long controlLen = msg.getLong(40);
        if (controlLen < CMSG_LEN_ONE_FD || control.getInt(8) != SOL_SOCKET || control.getInt(12) != SCM_RIGHTS) {
            return Optional.empty();
        }
        return Optional.of(new Fd(control.getInt(CMSG_HEADER), "received descriptor"));
    }
}
