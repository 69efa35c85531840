package dev.agentd.cgroups;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Processes and waiting for the real-kernel tests. */
final class ItSupport {
    private ItSupport() {}

    /**
     * Runs argv[1..] as its child and reaps every descendant before exiting
     * with the child's status (128 + signal when killed, as a shell reports).
     * The reaper sits outside the test cgroup, so killing the cgroup's
     * processes never orphans them to a PID 1 that may not reap (this build
     * machine's does not).
     */
    static final String REAPER = String.join("\n",
            "import ctypes, os, sys",
            "ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER, include/uapi/linux/prctl.h",
            "pid = os.fork()",
            "if pid == 0:",
            "    os.execvp(sys.argv[1], sys.argv[1:])",
            "status = 0",
            "while True:",
            "    try:",
            "        p, st = os.wait()",
            "    except ChildProcessError:",
            "        break",
            "    if p == pid:",
            "        status = st",
            "code = os.waitstatus_to_exitcode(status)",
            "sys.exit(128 - code if code < 0 else code)");

    /**
     * The system Python, isolated (-I) and without site hooks (-S): a
     * {@code python3} found on PATH may be a wrapper script (pyenv shims are)
     * whose own child processes would be mistaken for the command.
     */
    static final List<String> PYTHON = List.of("/usr/bin/python3", "-I", "-S");

    /** A command under {@link #REAPER}. */
    static final class Tree {
        final Process reaper;
        /** The command's own pid (the reaper's child). */
        final long pid;

        Tree(Process reaper, long pid) {
            this.reaper = reaper;
            this.pid = pid;
        }

        /** Lets a gated command run (it waits for one line on stdin). */
        void release() throws IOException {
            OutputStream in = reaper.getOutputStream();
            in.write('\n');
            in.close();
        }

        /** The command's exit status (128 + signal when killed); fails after {@code timeout}. */
        int waitFor(Duration timeout) throws InterruptedException {
            if (!reaper.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process " + pid + " still running after " + timeout);
            }
            return reaper.exitValue();
        }

        void destroy() {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            reaper.destroyForcibly();
        }
    }

    /**
     * Starts {@code command} gated: it blocks reading stdin until
     * {@link Tree#release()}, so the test can put it in a cgroup before it does anything.
     */
    static Tree startGated(Path stderr, String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "read go && exec \"$@\"", "sh"));
        argv.addAll(List.of(command));
        return start(stderr, argv);
    }

    /** Starts {@code command} at once (for commands that place themselves in a cgroup first). */
    static Tree start(Path stderr, List<String> command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(PYTHON);
        argv.addAll(List.of("-c", REAPER));
        argv.addAll(command);
        Process reaper = new ProcessBuilder(argv)
                .redirectOutput(Redirect.DISCARD)
                .redirectError(Redirect.appendTo(stderr.toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            Optional<ProcessHandle> child = reaper.toHandle().children().findFirst();
            if (child.isPresent()) {
                return new Tree(reaper, child.get().pid());
            }
            if (System.nanoTime() > deadline || !reaper.isAlive()) {
                reaper.destroyForcibly();
                throw new AssertionError("reaper did not start its child: " + Files.readString(stderr));
            }
            Thread.sleep(2);
        }
    }

    /** A check for {@link #await}. */
    @FunctionalInterface
    interface Check {
        boolean ok() throws Exception;
    }

    /** Waits until {@code check} holds, failing with {@code what} after {@code timeout}. */
    static void await(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The counter a looping shell writes to {@code file}; -1 while empty or half-written. */
    static long counter(Path file) {
        try {
            String s = Files.readString(file).trim();
            return s.isEmpty() ? -1 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** This thread's kernel id, from {@code /proc/thread-self -> <pid>/task/<tid>}. */
    static int ownTid() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A unique cgroup name, e.g. {@code agentd-test-3f2a9c}. */
    static String uniqueName(String prefix) {
        return prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffffL);
    }

    /** Starts and reaps one trivial process, so the JDK's process reaper thread exists before a test needs it. */
    static void warmUpProcessReaper() throws IOException, InterruptedException {
        new ProcessBuilder("true").start().waitFor();
        // Give the reaper thread time to return to its pool after completing the exit.
        Thread.sleep(100);
    }
}
