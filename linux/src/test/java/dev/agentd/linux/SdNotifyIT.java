package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends to a real datagram socket the test binds itself, as systemd does. */
class SdNotifyIT {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int MSG_DONTWAIT = 0x40;

    @TempDir
    Path dir;

    @Test
    void notify_pathSocket_receivesTheStateAsOneDatagram() throws Exception {
        String path = dir.resolve("notify").toString();
        try (Fd receiver = bind(SdNotify.sunPath(path))) {
            assertTrue(SdNotify.notify(path, "READY=1\nSTATUS=agentd ready: 0 agents running"));
            assertEquals("READY=1\nSTATUS=agentd ready: 0 agents running", receive(receiver));
            assertTrue(SdNotify.notify(path, "WATCHDOG=1"));
            assertEquals("WATCHDOG=1", receive(receiver));
        }
    }

    @Test
    void notify_abstractSocket_replacesTheAtWithNul() throws Exception {
        String name = "@agentd-sdnotify-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        try (Fd receiver = bind(SdNotify.sunPath(name))) {
            assertTrue(SdNotify.notify(name, "STOPPING=1"));
            assertEquals("STOPPING=1", receive(receiver));
        }
    }

    @Test
    void notify_unsetOrEmpty_sendsNothing() throws Exception {
        assertFalse(SdNotify.notify(null, "READY=1"));
        assertFalse(SdNotify.notify("", "READY=1"));
    }

    @Test
    void notify_noReceiver_throwsWithTheSocketNamed() {
        String path = dir.resolve("nobody").toString();
        SyscallException e = assertThrows(SyscallException.class, () -> SdNotify.notify(path, "READY=1"));
        assertEquals("sendto", e.syscall());
        assertTrue(e.is(Errno.ENOENT), e.getMessage());
        assertTrue(e.getMessage().contains(path), e.getMessage());
    }

    @Test
    void notify_relativeOrTooLong_isRefusedBeforeTheKernel() {
        assertThrows(IllegalArgumentException.class, () -> SdNotify.notify("run/notify", "READY=1"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.notify("vsock:2:1234", "READY=1"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.notify("/" + "x".repeat(107), "READY=1"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.notify("@", "READY=1"));
        assertThrows(IllegalArgumentException.class, () -> SdNotify.notify("/run/notify", ""));
    }

    @Test
    void sunPath_pathCarriesItsNul_abstractDoesNot() {
        assertArrayEquals(new byte[] {'/', 'a', 0}, SdNotify.sunPath("/a"));
        assertArrayEquals(new byte[] {0, 'a'}, SdNotify.sunPath("@a"));
    }

    @Test
    void watchdogInterval_fromUsecAndPid() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000"), 42));
        assertEquals(Optional.of(Duration.ofMillis(1500)),
                SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "1500000", "WATCHDOG_PID", "42"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of(), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "0"), 42));
        assertEquals(Optional.empty(), SdNotify.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
    }

    /** A datagram socket bound to {@code sunPath}, as systemd's notify socket is. */
    private static Fd bind(byte[] sunPath) throws SyscallException {
        Fd fd = new Fd((int) Native.syscall("socket", "test receiver", AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "receiver");
        Pointer addr = Native.allocate(2 + 108);
        addr.putShort(0, (short) AF_UNIX);
        addr.put(2, sunPath, 0, sunPath.length);
        try {
            Native.syscall("bind", "test receiver", fd.number(), addr.address(), 2 + sunPath.length);
        } catch (SyscallException e) {
            fd.close();
            throw e;
        }
        return fd;
    }

    /** The datagram waiting on {@code fd}; fails if none is there (the send is synchronous). */
    private static String receive(Fd fd) throws SyscallException {
        Pointer buf = Native.allocate(4096);
        int n = (int) Native.syscall("recvfrom", "test receiver", fd.number(), buf.address(), 4096, MSG_DONTWAIT, 0, 0);
        byte[] b = new byte[n];
        buf.get(0, b, 0, n);
        return new String(b, StandardCharsets.UTF_8);
    }
}
