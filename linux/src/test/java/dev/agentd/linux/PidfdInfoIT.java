package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.testing.Require;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** On the real kernel. Feature name for {@code AGENTD_REQUIRE}: {@code pidfd-info-exit} (Linux ≥ 6.15). */
class PidfdInfoIT {
    static void requireExitInfo() {
        Require.feature("pidfd-info-exit", PidfdInfo.exitSupported(),
                "ioctl(PIDFD_GET_INFO, PIDFD_INFO_EXIT) gave no exit status for a reaped child (Linux >= 6.15 has it)");
    }

    @Test
    void a_pidfd_tells_the_exit_code_after_the_reap() throws Exception {
        requireExitInfo();
        int pid = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "sleep 60").closeFrom(3).start();
        try (Fd pidfd = ProcessSyscall.pidfdOpen(pid)) {
            assertEquals(Optional.empty(), PidfdInfo.exit(pidfd), "running: no exit status yet");
            ProcessSyscall.kill(pid, ProcessSyscall.SIGKILL);
            assertEquals(9, ProcessSyscall.waitFor(pid).signal());
            WaitStatus s = PidfdInfo.exit(pidfd).orElseThrow();
            assertTrue(s.killedBy(ProcessSyscall.SIGKILL), s.toString());
        }
        int seven = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "exit 7").closeFrom(3).start();
        try (Fd pidfd = ProcessSyscall.pidfdOpen(seven)) {
            ProcessSyscall.waitFor(seven);
            WaitStatus s = PidfdInfo.exit(pidfd).orElseThrow();
            assertTrue(s.exited(), s.toString());
            assertEquals(7, s.exitCode());
        }
    }

    @Test
    void a_pidfd_parked_in_another_process_outlives_every_descriptor_of_it_here() throws Exception {
        requireExitInfo();
        int child = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "exit 5").closeFrom(3).start();
        Fd pidfd = ProcessSyscall.pidfdOpen(child);
        Fd[] pair = FdPassing.socketPair();
        FdPassing.send(pair[0], pidfd);
        int holder = Spawn.of(Path.of("/bin/sleep")).args("sleep", "60").dup2(pair[1].number(), 3).closeFrom(4).start();
        pair[0].close();
        pair[1].close();
        pidfd.close();
        ProcessSyscall.waitFor(child); // reaped while only the holder's queued message refers to it
        try (Fd holderFd = ProcessSyscall.pidfdOpen(holder); Fd socket = ProcessSyscall.pidfdGetfd(holderFd, 3)) {
            for (int i = 0; i < 2; i++) { // a peek leaves the message parked
                try (Fd parked = FdPassing.peek(socket).orElseThrow()) {
                    WaitStatus s = PidfdInfo.exit(parked).orElseThrow();
                    assertEquals(5, s.exitCode(), s.toString());
                }
            }
        } finally {
            ProcessSyscall.kill(holder, ProcessSyscall.SIGKILL);
            ProcessSyscall.waitFor(holder);
        }
    }

    @Test
    void peeking_an_empty_socket_gives_nothing_at_once() throws Exception {
        Fd[] pair = FdPassing.socketPair();
        try {
            assertEquals(Optional.empty(), FdPassing.peek(pair[1]));
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }
}
