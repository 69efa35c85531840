package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpawnIT {
    @TempDir
    Path dir;

    @Test
    void start_exitCodeAndOutputFile() throws Exception {
        Path out = dir.resolve("out");
        int pid = Spawn.of(Path.of("/bin/sh"))
                .args("sh", "-c", "echo \"$GREETING\"; pwd; exit 7")
                .env(Map.of("GREETING", "hello"))
                .open(0, Path.of("/dev/null"), FileSyscall.O_RDONLY, 0)
                .open(1, out, FileSyscall.O_WRONLY | FileSyscall.O_CREAT | FileSyscall.O_TRUNC, 0600)
                .chdir(dir)
                .start();
        WaitStatus st = ProcessSyscall.waitFor(pid);
        assertEquals(7, st.exitCode(), st.toString());
        assertEquals("hello\n" + dir.toRealPath() + "\n", Files.readString(out));
    }

    @Test
    void start_signalIsReported() throws Exception {
        int pid = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "kill -9 $$").start();
        WaitStatus st = ProcessSyscall.waitFor(pid);
        assertTrue(st.killedBy(ProcessSyscall.SIGKILL), st.toString());
    }

    @Test
    void start_newSessionMakesSessionLeader() throws Exception {
        Path out = dir.resolve("sid");
        int pid = Spawn.of(Path.of("/bin/sh")).args("sh", "-c", "cut -d' ' -f6 /proc/$$/stat; echo $$")
                .open(1, out, FileSyscall.O_WRONLY | FileSyscall.O_CREAT, 0600)
                .newSession().start();
        ProcessSyscall.waitFor(pid);
        String[] lines = Files.readString(out).split("\n");
        assertEquals(lines[1], lines[0], "session id is the child's own pid");
    }

    @Test
    void start_missingProgramIsENOENT() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Spawn.of(Path.of("/nonexistent/prog")).start());
        assertTrue(e.is(Errno.ENOENT), e.getMessage());
        assertTrue(e.getMessage().contains("posix_spawn failed: ENOENT"), e.getMessage());
    }

    @Test
    void openPath_missingIsNoSuchFile() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class,
                () -> FileSyscall.openPath(dir.resolve("missing")));
        assertTrue(e.getCause() instanceof SyscallException);
    }

    @Test
    void lastCapability_readsWholeSysctl() throws Exception {
        // Regression: Files.readString returned "4" for "40" on this sysctl.
        assertTrue(CredentialSyscall.lastCapability() >= 37, "cap_last_cap is at least CAP_AUDIT_READ (37)");
    }

    @Test
    void kernelProbes_answer() {
        assertTrue(LandlockSyscall.abiVersion() >= 0);
        SeccompSyscall.filterAvailable();
        assertTrue(ProcessSyscall.gettid() > 0);
    }
}
