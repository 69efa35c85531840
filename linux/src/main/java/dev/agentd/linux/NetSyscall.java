package dev.agentd.linux;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/** The one network operation a fresh network namespace needs: bringing up {@code lo}. */
public final class NetSyscall {
    private NetSyscall() {}

    // uapi linux/socket.h, linux/sockios.h, linux/if.h.
    private static final int AF_INET = 2;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SIOCGIFFLAGS = 0x8913;
    private static final int SIOCSIFFLAGS = 0x8914;
    private static final short IFF_UP = 0x1;
    /** sizeof(struct ifreq): char ifr_name[16] + a 24-byte union. */
    private static final int IFREQ_SIZE = 40;

    /** Sets {@code IFF_UP} on {@code lo} in the calling thread's network namespace. */
    public static void loopbackUp() throws SyscallException {
        int fd = (int) Native.syscall("socket", "AF_INET, SOCK_DGRAM", AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        try (Fd sock = new Fd(fd, "socket")) {
            Pointer ifr = Native.allocate(IFREQ_SIZE);
            byte[] name = "lo".getBytes(StandardCharsets.US_ASCII);
            ifr.put(0, name, 0, name.length);
            Native.syscall("ioctl", "SIOCGIFFLAGS lo", sock.number(), SIOCGIFFLAGS, ifr.address());
            ifr.putShort(16, (short) (ifr.getShort(16) | IFF_UP));
            Native.syscall("ioctl", "SIOCSIFFLAGS lo", sock.number(), SIOCSIFFLAGS, ifr.address());
        }
    }
}
