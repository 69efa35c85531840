package dev.agentd.linux;

import java.lang.reflect.Method;
import java.nio.channels.Channel;
import jnr.ffi.Pointer;

/**
 * {@code getsockopt(SO_PEERCRED)} on a connected Unix socket: the peer's pid,
 * uid and gid as the kernel recorded them at {@code connect()}.
 *
 * <p>The JDK's own {@code SO_PEERCRED} option reports user and group names but
 * not the pid, and hides the channel's descriptor. This reads the descriptor
 * through the JDK's internal {@code SelChImpl.getFDVal()}, which needs the JVM
 * flag {@value #JVM_FLAG}; without it {@link #isAvailable()} is false and
 * {@link #of} says what to add.
 */
public final class SocketPeer {
    /** The JVM option that lets this class read a channel's descriptor. */
    public static final String JVM_FLAG = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    // uapi asm-generic/socket.h: SOL_SOCKET 1, SO_PEERCRED 17 (x86_64 and aarch64).
    private static final int SOL_SOCKET = 1;
    private static final int SO_PEERCRED = 17;

    /** The peer of a Unix socket. */
    public record Credentials(int pid, int uid, int gid) {}

    private static final Method FD_VAL = lookup();

    private SocketPeer() {}

    private static Method lookup() {
        try {
            Method m = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@link #of} works in this JVM. */
    public static boolean isAvailable() {
        return FD_VAL != null;
    }

    /**
     * The peer credentials of {@code channel}, a connected Unix-domain socket channel.
     *
     * @throws UnsupportedOperationException when the JVM was started without {@value #JVM_FLAG}
     */
    public static Credentials of(Channel channel) throws SyscallException {
        if (FD_VAL == null) {
            throw new UnsupportedOperationException("reading a socket's peer pid needs the JVM option " + JVM_FLAG);
        }
        int fd;
        try {
            fd = (Integer) FD_VAL.invoke(channel);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("cannot read the descriptor of " + channel.getClass().getName(), e);
        }
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } and its socklen_t.
        Pointer cred = Native.allocate(12);
        Pointer len = Native.allocate(4);
        len.putInt(0, 12);
        Native.syscall("getsockopt", "fd=" + fd + ", SO_PEERCRED", fd, SOL_SOCKET, SO_PEERCRED, cred.address(), len.address());
        return new Credentials(cred.getInt(0), cred.getInt(4), cred.getInt(8));
    }

    /** {@code FIONREAD} (asm-generic, the same on x86_64 and aarch64). */
    private static final int FIONREAD = 0x541B;

    /**
     * Bytes received on {@code channel}, a connected socket channel, and not read
     * yet ({@code FIONREAD}); -1 when that cannot be told (no {@value #JVM_FLAG},
     * or the channel is closed).
     */
    public static int unreadBytes(Channel channel) {
        return intIoctl(channel, FIONREAD, "FIONREAD", Native.allocate(4));
    }

    /** {@code SIOCOUTQ}, which is {@code TIOCOUTQ} (asm-generic, the same on x86_64 and aarch64). */
    private static final int SIOCOUTQ = 0x5411;
    private static final ThreadLocal<Pointer> OUTQ = ThreadLocal.withInitial(() -> Native.allocate(4));

    /**
     * Bytes written to {@code channel}, a connected Unix stream socket, that the
     * peer has not read yet and that count against the send buffer
     * ({@code SIOCOUTQ}); -1 when that cannot be told (no {@value #JVM_FLAG},
     * or the channel is closed). A writer that knows the send buffer's size
     * can tell from this whether a blocking write would block.
     */
    public static int unsentBytes(Channel channel) {
        return intIoctl(channel, SIOCOUTQ, "SIOCOUTQ", OUTQ.get());
    }

    /** The int an ioctl without argument but a result buffer gives for {@code channel}'s fd; -1 when it cannot be told. */
    private static int intIoctl(Channel channel, int request, String name, Pointer result) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            int fd = (Integer) FD_VAL.invoke(channel);
            if (fd < 0) {
                return -1;
            }
            // The context names no fd: unsentBytes is on every reply's path, and a failure is only -1 here.
            Native.syscall("ioctl", name, fd, request, result.address());
            return result.getInt(0);
        } catch (ReflectiveOperationException | SyscallException | RuntimeException e) {
            return -1;
        }
    }
}
