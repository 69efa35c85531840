package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.SeccompSyscall;
import dev.agentd.linux.Spawn;
import dev.agentd.linux.WaitStatus;
import dev.agentd.linux.testing.Require;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real kernel: a fresh platform thread installs a compiled filter on itself
 * and spawns a probe, which reports from inside what is allowed and refused.
 * The JVM's other threads must stay unfiltered.
 */
class SeccompIT {
    /** SIGSYS, what SECCOMP_RET_KILL_* kills with (asm-generic/signal.h: 31 on x86_64 and aarch64). */
    static final int SIGSYS = 31;
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    @BeforeEach
    void require() {
        Require.root();
        Require.feature("seccomp", SeccompSyscall.filterAvailable(), "SECCOMP_GET_ACTION_AVAIL failed");
        Require.feature("python3", Files.isExecutable(PYTHON), PYTHON + " missing: the probe is a Python script");
    }

    /** Work done on the filtered thread after the filter is installed, before the spawn. */
    interface OnThread {
        String run() throws Exception;
    }

    record Run(WaitStatus status, String stdout, String stderr, String threadStatus, String onThread) {
        Map<String, String> lines() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String l : stdout.split("\n")) {
                int sp = l.indexOf(' ');
                if (sp > 0) {
                    m.put(l.substring(0, sp), l.substring(sp + 1));
                }
            }
            return m;
        }
    }

    /**
     * On a fresh thread: warm up the native binding, install {@code program}
     * (when not null; no_new_privs is set by the installer), read the
     * thread's own status, spawn {@code argv} with stdout/stderr to files,
     * wait. The thread then ends, taking its filter with it.
     */
    Run runOnFilteredThread(BpfProgram program, List<String> argv) throws Exception {
        return runOnFilteredThread(program, argv, () -> "");
    }

    Run runOnFilteredThread(BpfProgram program, List<String> argv, OnThread onThread) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Map<String, String> env = new HashMap<>();
        env.put("PATH", "/usr/bin:/bin");
        for (String n : List.of("getpid", "setresuid", "prctl", "seccomp", "socket", "ioctl", "clone3", "clone", "setns",
                "mount", "umount2", "ptrace", "bpf", "keyctl", "io_uring_setup", "userfaultfd", "perf_event_open",
                "personality", "unshare", "syslog")) {
            env.put("NR_" + n, Integer.toString(Arch.current().syscallNumber(n).getAsInt()));
        }
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                ProcessSyscall.warmUp();
                if (program != null) {
                    SeccompFilter.installOnCurrentThread(program);
                }
                String self = Files.readString(Path.of("/proc/thread-self/status"));
                String extra = onThread.run();
                int pid = Spawn.of(Path.of(argv.get(0))).args(argv).env(env)
                        .open(0, Path.of("/dev/null"), FileSyscall.O_RDONLY, 0)
                        .open(1, out, FileSyscall.O_WRONLY | FileSyscall.O_TRUNC, 0600)
                        .open(2, err, FileSyscall.O_WRONLY | FileSyscall.O_TRUNC, 0600)
                        .chdir(dir)
                        .start();
                WaitStatus st = ProcessSyscall.waitFor(pid);
                result.set(new Run(st, null, null, self, extra));
            } catch (Throwable e) {
                result.set(e);
            }
        }, "seccomp-it-spawner");
        t.start();
        t.join(60_000);
        assertFalse(t.isAlive(), "spawning thread hung");
        if (result.get() instanceof Throwable e) {
            throw new AssertionError("spawning thread failed: " + e, e);
        }
        Run r = (Run) result.get();
        return new Run(r.status(), Files.readString(out), Files.readString(err), r.threadStatus(), r.onThread());
    }

    private Path probe() throws IOException {
        Path p = dir.resolve("probe.py");
        try (InputStream in = SeccompIT.class.getResourceAsStream("probe.py")) {
            assertNotNull(in, "probe.py resource");
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    @Test
    void agentDefault_probeSeesDenialsAndCanStillWork() throws Exception {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "hello from a file\n");
        BpfProgram program = Seccomp.agentDefault(Arch.current());
        Run run = runOnFilteredThread(program, List.of(PYTHON.toString(), probe().toString(), data.toString()));
        assertTrue(run.status().exited() && run.status().exitCode() == 0, run.status() + "\n" + run.stdout() + run.stderr());
        assertTrue(run.threadStatus().contains("Seccomp:\t2"), "the spawning thread is filtered:\n" + run.threadStatus());
        assertTrue(run.threadStatus().contains("NoNewPrivs:\t1"), run.threadStatus());

        Map<String, String> got = run.lines();
        Map<String, String> want = new LinkedHashMap<>();
        want.put("fork", "ok");
        want.put("thread", "ok");
        want.put("cat", "hello from a file");
        want.put("sh", "42");
        want.put("coreutils", "f g");
        want.put("Seccomp", "2");
        want.put("NoNewPrivs", "1");
        want.put("getpid", "ok");
        want.put("setresuid", "ok");
        want.put("prctl", "ok");
        want.put("seccomp", "EFAULT");
        want.put("socket_unix", "ok");
        want.put("socket_alg", "EAFNOSUPPORT");
        want.put("ioctl_TCGETS", "ENOTTY");
        want.put("ioctl_TIOCSTI", "EPERM");
        want.put("ioctl_TIOCSTI_high", "EPERM");
        want.put("clone3", "ENOSYS");
        want.put("clone_newnet", "EPERM");
        want.put("setns", "EPERM");
        want.put("mount", "EPERM");
        want.put("umount2", "EPERM");
        want.put("ptrace", "EPERM");
        want.put("bpf", "EPERM");
        want.put("keyctl", "EPERM");
        want.put("io_uring_setup", "EPERM");
        want.put("userfaultfd", "EPERM");
        want.put("perf_event_open", "EPERM");
        want.put("personality_query", "ok");
        want.put("unshare", "EPERM");
        want.put("personality_0x1234", "EPERM");
        assertEquals(want, got, "probe output:\n" + run.stdout() + run.stderr());

        assertOtherThreadsUnfiltered();
    }

    @Test
    void control_withoutFilter_theSameProbeGetsThrough() throws Exception {
        Path data = dir.resolve("data.txt");
        Files.writeString(data, "x\n");
        Run run = runOnFilteredThread(null, List.of(PYTHON.toString(), probe().toString(), data.toString()));
        Map<String, String> got = run.lines();
        // The refusals above come from the filter, not from the probe's arguments.
        assertEquals("0", got.get("Seccomp"), run.stdout());
        assertEquals("EINVAL", got.get("clone3"), run.stdout());
        assertEquals("EINVAL", got.get("clone_newnet"), run.stdout());
        assertEquals("ENOTTY", got.get("ioctl_TIOCSTI"), run.stdout());
        assertEquals("EBADF", got.get("setns"), run.stdout());
        assertEquals("ESRCH", got.get("ptrace"), run.stdout());
        assertEquals("ok", got.get("unshare"), run.stdout());
        assertEquals("ok", got.get("personality_0x1234"), run.stdout());
    }

    @Test
    void killProcessAction_killsTheChildWithSigsys() throws Exception {
        SeccompProfile p = SeccompProfile.parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                + "{\"names\":[\"syslog\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"}]}");
        BpfProgram program = Seccomp.compile(p, Target.current()).program();
        String script = "import ctypes, os\n"
                + "print('before', flush=True)\n"
                + "ctypes.CDLL(None).syscall(int(os.environ['NR_syslog']), 10, 0, 0)\n"
                + "print('after', flush=True)\n";
        Run run = runOnFilteredThread(program, List.of(PYTHON.toString(), "-c", script));
        assertTrue(run.status().killedBy(SIGSYS), run.status() + "\n" + run.stdout() + run.stderr());
        assertEquals("before\n", run.stdout());
        assertOtherThreadsUnfiltered();
    }

    @Test
    void x32Number_isKilledOnX8664_andDefaultElsewhere() throws Exception {
        BpfProgram program = Seccomp.agentDefault(Arch.current());
        String script = "import ctypes, os\n"
                + "libc = ctypes.CDLL(None, use_errno=True)\n"
                + "print('before', flush=True)\n"
                + "r = libc.syscall(0x40000000 | int(os.environ['NR_getpid']))\n"
                + "print('after', r, ctypes.get_errno(), flush=True)\n";
        Run run = runOnFilteredThread(program, List.of(PYTHON.toString(), "-c", script));
        if (Arch.current() == Arch.X86_64) {
            assertTrue(run.status().killedBy(SIGSYS), run.status() + "\n" + run.stdout() + run.stderr());
            assertEquals("before\n", run.stdout());
        } else {
            // aarch64 has no x32 ABI: the number is just unknown, so the default answer (EPERM) applies.
            assertEquals("before\nafter -1 1\n", run.stdout());
        }
    }

    @Test
    void jvm_runsUnderAgentDefault_onTheFilteredThreadAndAsAChild() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Run run = runOnFilteredThread(Seccomp.agentDefault(Arch.current()),
                List.of(java.toString(), "-Xshare:auto", "-XX:+UseSerialGC", "-version"), () -> {
                    // Java work on the filtered thread: file I/O and a new thread
                    // (pthread_create: clone3 answers ENOSYS, glibc falls back to clone).
                    Path f = Files.writeString(dir.resolve("jvm.txt"), "written under seccomp");
                    AtomicReference<String> childStatus = new AtomicReference<>();
                    Thread child = new Thread(() -> {
                        try {
                            childStatus.set(Files.readString(Path.of("/proc/thread-self/status")));
                        } catch (IOException e) {
                            childStatus.set(e.toString());
                        }
                    });
                    child.start();
                    child.join();
                    return Files.readString(f) + "\n" + childStatus.get();
                });
        assertTrue(run.onThread().startsWith("written under seccomp\n"), run.onThread());
        assertTrue(run.onThread().contains("Seccomp:\t2"), "a thread started by the filtered thread inherits the filter:\n"
                + run.onThread());
        assertTrue(run.status().exited() && run.status().exitCode() == 0, run.status() + "\n" + run.stdout() + run.stderr());
        assertTrue(run.stderr().contains("version"), "java -version under the filter:\n" + run.stderr());
        assertOtherThreadsUnfiltered();
    }

    /** Every thread of this JVM, the main one included, is unfiltered after the spawning thread ended. */
    static void assertOtherThreadsUnfiltered() throws IOException {
        // Thread.join returns when the Java thread is done, a moment before its
        // kernel task is gone from /proc/self/task: give the filtered threads
        // (which have ended) up to 5 s to disappear before judging the others.
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline && !filteredThreads().isEmpty()) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        List<String> filtered = filteredThreads();
        assertEquals(List.of(), filtered, "threads with a filter or no_new_privs");
        String main = Files.readString(Path.of("/proc/self/status"));
        assertTrue(main.contains("Seccomp:\t0"), main);
    }

    private static List<String> filteredThreads() throws IOException {
        List<String> filtered = new ArrayList<>();
        int seen = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                String status;
                try {
                    status = Files.readString(task.resolve("status"));
                } catch (IOException gone) {
                    continue; // a thread that ended meanwhile
                }
                seen++;
                if (!status.contains("Seccomp:\t0") || !status.contains("NoNewPrivs:\t0")) {
                    filtered.add(task.getFileName() + ": " + status.lines()
                            .filter(l -> l.startsWith("Name") || l.startsWith("Seccomp") || l.startsWith("NoNewPrivs")).toList());
                }
            }
        }
        assertTrue(seen > 1, "read " + seen + " tasks");
        return filtered;
    }
}
