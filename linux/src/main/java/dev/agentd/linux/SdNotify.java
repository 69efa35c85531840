package dev.agentd.linux;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.Pointer;

/**
 * systemd's service notification protocol ({@code sd_notify(3)}) without
 * libsystemd: one datagram of {@code KEY=VALUE} lines on the Unix socket named
 * by {@code $NOTIFY_SOCKET}. The JDK's Unix-domain channels are stream-only,
 * so the datagram is sent with raw {@code socket}/{@code sendto}.
 *
 * <p>A path starting with {@code @} names an abstract socket (its first byte
 * becomes NUL), as in systemd. The receiver identifies the sender by the
 * credentials the kernel attaches ({@code SO_PASSCRED}), so nothing else is
 * needed for {@code NotifyAccess=main}.
 */
public final class SdNotify {
    // uapi linux/socket.h and linux/net.h: AF_UNIX 1, SOCK_DGRAM 2, SOCK_CLOEXEC O_CLOEXEC,
    // MSG_NOSIGNAL 0x4000 (no SIGPIPE if the receiver went away).
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_NOSIGNAL = 0x4000;
    /** uapi linux/un.h: {@code struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; }}. */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_MAX = 108;

    private SdNotify() {}

    /**
     * Sends {@code state} (e.g. {@code "READY=1\nSTATUS=serving"}) to the
     * socket in {@code $NOTIFY_SOCKET}.
     *
     * @return false when {@code NOTIFY_SOCKET} is unset or empty (not run by systemd,
     *         or run without {@code Type=notify}): nothing was sent
     * @throws SyscallException when the socket cannot be created or the datagram not sent
     * @throws IllegalArgumentException when {@code NOTIFY_SOCKET} is not an absolute
     *         path or {@code @}abstract name that fits a {@code sockaddr_un}
     */
    public static boolean notify(String state) throws SyscallException {
        return notify(System.getenv("NOTIFY_SOCKET"), state);
    }

    /**
     * As {@link #notify(String)}, to the socket {@code socket} (a
     * {@code $NOTIFY_SOCKET} value; null or empty sends nothing).
     */
    public static boolean notify(String socket, String state) throws SyscallException {
        if (state == null || state.isEmpty()) {
            throw new IllegalArgumentException("empty notification: expected KEY=VALUE lines such as READY=1");
        }
        if (socket == null || socket.isEmpty()) {
            return false;
        }
        byte[] address = sunPath(socket);
        Pointer addr = Native.allocate(SUN_PATH_OFFSET + SUN_PATH_MAX);
        addr.putShort(0, (short) AF_UNIX);
        addr.put(SUN_PATH_OFFSET, address, 0, address.length);
        // A path's length counts its NUL; an abstract name's does not (its bytes are the name).
        int addrLen = SUN_PATH_OFFSET + address.length;
        byte[] msg = state.getBytes(StandardCharsets.UTF_8);
        Pointer buf = Native.allocate(msg.length);
        buf.put(0, msg, 0, msg.length);
        String ctx = "NOTIFY_SOCKET=" + socket;
        int fd = (int) Native.syscall("socket", ctx, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Fd sock = new Fd(fd, "notify socket")) {
            // A datagram goes whole or fails (EMSGSIZE): no partial sends to handle.
            Native.syscall("sendto", ctx, sock.number(), buf.address(), msg.length, MSG_NOSIGNAL, addr.address(), addrLen);
        }
        return true;
    }

    /** The bytes of {@code sun_path} for a {@code $NOTIFY_SOCKET} value, with the path's NUL. */
    static byte[] sunPath(String socket) {
        byte[] name = socket.getBytes(StandardCharsets.UTF_8);
        if (socket.startsWith("@")) {
            if (name.length < 2 || name.length > SUN_PATH_MAX) {
                throw new IllegalArgumentException("NOTIFY_SOCKET=" + socket + ": an abstract socket name must be 1 to "
                        + (SUN_PATH_MAX - 1) + " bytes after the @");
            }
            name[0] = 0;
            return name;
        }
        if (!socket.startsWith("/")) {
            throw new IllegalArgumentException("NOTIFY_SOCKET=" + socket
                    + ": expected an absolute path or an @abstract name (vsock: addresses are not supported)");
        }
        if (name.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("NOTIFY_SOCKET=" + socket + ": longer than " + (SUN_PATH_MAX - 1) + " bytes");
        }
        byte[] withNul = new byte[name.length + 1];
        System.arraycopy(name, 0, withNul, 0, name.length);
        return withNul;
    }

    /**
     * The watchdog interval systemd expects {@code WATCHDOG=1} within
     * ({@code WatchdogSec=}), from {@code $WATCHDOG_USEC}; empty when unset or
     * invalid, or when {@code $WATCHDOG_PID} is set to another process's pid
     * (the variables were inherited, not meant for us). Ping at half of it,
     * as {@code sd_watchdog_enabled(3)} advises.
     */
    public static Optional<Duration> watchdogInterval() {
        return watchdogInterval(System.getenv(), ProcessHandle.current().pid());
    }

    /** As {@link #watchdogInterval()}, from {@code env} for process {@code pid}. */
    public static Optional<Duration> watchdogInterval(Map<String, String> env, long pid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String forPid = env.get("WATCHDOG_PID");
        try {
            if (forPid != null && !forPid.isEmpty() && Long.parseLong(forPid) != pid) {
                return Optional.empty();
            }
            long us = Long.parseLong(usec);
            return us > 0 ? Optional.of(Duration.ofNanos(Math.multiplyExact(us, 1000L))) : Optional.empty();
        } catch (NumberFormatException | ArithmeticException e) {
            return Optional.empty();
        }
    }
}
