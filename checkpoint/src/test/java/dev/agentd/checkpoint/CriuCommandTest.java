package dev.agentd.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CriuCommandTest {

    private static final Path CRIU = Path.of("/usr/sbin/criu");
    private static final Path IMAGES = Path.of("/var/lib/agentd/checkpoints/a1/images");

    @Test
    void minimalDump() {
        assertEquals(List.of("/usr/sbin/criu", "dump", "-t", "42", "-D", IMAGES.toString(), "-v4"),
                CriuCommand.dump(CRIU, 42, IMAGES).build());
    }

    @Test
    void fullDump() {
        List<String> argv = CriuCommand.dump(CRIU, 42, IMAGES)
                .externalUnixSocket(12345)
                .logFile(Path.of("/var/log/dump.log"))
                .leaveRunning(true)
                .trackMem(true)
                .prevImagesDir("../pre-1")
                .freezeCgroup(Path.of("/sys/fs/cgroup/agentd/a1"))
                .manageCgroups("ignore")
                .external("file[1f:2a]")
                .externalUnixSocket(777)
                .extra("--shell-job", "--tcp-established")
                .build();
        assertEquals(List.of("/usr/sbin/criu", "dump", "-t", "42", "-D", IMAGES.toString(), "-v4",
                "-o", "/var/log/dump.log",
                "--leave-running", "--track-mem",
                "--prev-images-dir", "../pre-1",
                "--freeze-cgroup", "/sys/fs/cgroup/agentd/a1",
                "--manage-cgroups=ignore",
                "--external", "unix[12345]", "--external", "file[1f:2a]", "--external", "unix[777]",
                "--shell-job", "--tcp-established"), argv);
    }

    @Test
    void booleanOptionsCanBeTurnedOffAgain() {
        assertEquals(List.of("/usr/sbin/criu", "dump", "-t", "1", "-D", IMAGES.toString(), "-v4"),
                CriuCommand.dump(CRIU, 1, IMAGES).leaveRunning(true).leaveRunning(false).trackMem(false).build());
    }

    @Test
    void preDump() {
        assertEquals(List.of("/usr/sbin/criu", "pre-dump", "-t", "42", "-D", "/c/pre-2", "-v4",
                        "-o", "pre-dump.log", "--track-mem", "--prev-images-dir", "../pre-1"),
                CriuCommand.preDump(CRIU, 42, Path.of("/c/pre-2"))
                        .logFile(Path.of("pre-dump.log")).trackMem(true).prevImagesDir("../pre-1").build());
    }

    @Test
    void minimalRestore() {
        assertEquals(List.of("/usr/sbin/criu", "restore", "-D", IMAGES.toString(), "-v4"),
                CriuCommand.restore(CRIU, IMAGES).build());
    }

    @Test
    void fullRestore() {
        List<String> argv = CriuCommand.restore(CRIU, IMAGES)
                .inheritFd(3, "socket:[12345]")
                .detached()
                .pidFile(Path.of("/run/agentd/a1.pid"))
                .logFile(Path.of("/var/log/restore.log"))
                .extUnixSk()
                .manageCgroups("ignore")
                .cgroupRoot("memory", "/agentd/a1")
                .cgroupRoot("cpu,cpuacct", "/agentd/a1")
                .inheritFd(4, "pipe:[99]")
                .extra("--shell-job")
                .build();
        assertEquals(List.of("/usr/sbin/criu", "restore", "-D", IMAGES.toString(), "-v4",
                "-o", "/var/log/restore.log",
                "-d", "--pidfile", "/run/agentd/a1.pid",
                "--ext-unix-sk", "--manage-cgroups=ignore",
                "--cgroup-root", "memory:/agentd/a1", "--cgroup-root", "cpu,cpuacct:/agentd/a1",
                "--inherit-fd", "fd[3]:socket:[12345]", "--inherit-fd", "fd[4]:pipe:[99]",
                "--shell-job"), argv);
    }

    @Test
    void builtListIsImmutable() {
        List<String> argv = CriuCommand.restore(CRIU, IMAGES).build();
        assertThrows(UnsupportedOperationException.class, () -> argv.add("--x"));
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.dump(CRIU, 0, IMAGES));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.preDump(CRIU, -5, IMAGES));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.dump(CRIU, 1, IMAGES).externalUnixSocket(0));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.dump(CRIU, 1, IMAGES).external(" "));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.dump(CRIU, 1, IMAGES).prevImagesDir(""));
        assertThrows(NullPointerException.class, () -> CriuCommand.dump(CRIU, 1, IMAGES).extra("a", null));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.restore(CRIU, IMAGES).inheritFd(-1, "k"));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.restore(CRIU, IMAGES).inheritFd(3, ""));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.restore(CRIU, IMAGES).cgroupRoot("memory", "agentd"));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.restore(CRIU, IMAGES).cgroupRoot("", "/a"));
        assertThrows(IllegalArgumentException.class, () -> CriuCommand.restore(CRIU, IMAGES).cgroupRoot("a:b", "/a"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CriuCommand.restore(CRIU, IMAGES).manageCgroups("off"));
        assertTrue(e.getMessage().contains("none, props, soft, full, strict, ignore"), e.getMessage());
    }
}
