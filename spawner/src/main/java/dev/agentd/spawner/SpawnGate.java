package dev.agentd.spawner;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.linux.CredentialSyscall;
import dev.agentd.linux.Errno;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.ResourceLimitSyscall;
import dev.agentd.linux.SyscallException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds each spawned child before its {@code execve} until the supervisor has
 * placed it: moved into its cgroup (cgroup v2, where a thread cannot join
 * alone) and given its resource limits (which belong to a process, so a JVM
 * thread cannot set them on itself for the child to inherit).
 *
 * <p>The first file action of each spawn opens a FIFO in the sandbox root for
 * reading, which blocks the child inside {@code posix_spawn}. This gate, on
 * another thread of the supervisor, finds the child in
 * {@code /proc/self/task/<spawning tid>/children}, places it, and opens the
 * FIFO's writer end (through {@code /proc/<pid>/root}) to let it go on
 * (kernel-facts.md, "Placing a child in a v2 cgroup before it runs").
 */
final class SpawnGate {
    /**
     * Where child {@code index}'s FIFO is in the sandbox. One FIFO per child:
     * a FIFO reader does not wait while any writer has it open, so a shared
     * FIFO would let the agent through on the init's release.
     */
    static Path path(int index) {
        return Path.of("/.agentd-gate-" + index);
    }
    /** The child holds the gate on this descriptor; stdio is set up before it. */
    static final int FD = 3;

    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Cgroup cgroup;
    private final Map<SandboxSpec.Rlimit, Long> rlimits;
    private final int uid;
    private final int gid;
    private final int expected;
    private final Path stagingRoot;
    private final boolean agentChildIsRoot;
    private final CompletableFuture<Integer> spawnerTid = new CompletableFuture<>();
    private final List<String> errors = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param cgroup   the cgroup to move each child into, or null when the spawning thread's (v1) membership is inherited
     * @param rlimits  limits to set on each child
     * @param expected how many children the spawn creates (init and agent)
     * @param stagingRoot where the sandbox root is staged: the init's FIFO is under it (it starts before the pivot)
     */
    SpawnGate(Cgroup cgroup, Map<SandboxSpec.Rlimit, Long> rlimits, int uid, int gid, int expected, Path stagingRoot) {
        this(cgroup, rlimits, uid, gid, expected, stagingRoot, false);
    }

    /**
     * @param agentChildIsRoot the second child is still root when it reaches the gate
     *        (a restore's restorer drops to the agent's uid itself, after exec)
     */
    SpawnGate(Cgroup cgroup, Map<SandboxSpec.Rlimit, Long> rlimits, int uid, int gid, int expected, Path stagingRoot,
            boolean agentChildIsRoot) {
        this.agentChildIsRoot = agentChildIsRoot;
        this.stagingRoot = stagingRoot;
        this.cgroup = cgroup;
        this.rlimits = rlimits;
        this.uid = uid;
        this.gid = gid;
        this.expected = expected;
    }

    static boolean needed(SandboxSpec spec) {
        return !spec.rlimits().isEmpty() || spec.cgroup().map(c -> !c.canJoinThread()).orElse(false);
    }

    /**
     * Starts one single-use gate thread per expected child. Called on the
     * supervisor's thread, never on the spawning one (it cannot start threads).
     * Each gate thread ends with the agent's uid (see {@link #place}), so none
     * is ever reused.
     */
    void start(Thread spawning) {
        for (int i = 0; i < expected; i++) {
            int index = i;
            Thread t = new Thread(() -> run(spawning, index), "agentd-spawn-gate-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** The spawning thread reports its kernel thread id first thing. */
    void spawnerStarted(int tid) {
        spawnerTid.complete(tid);
    }

    /** Waits for the gate's thread; returns what went wrong placing children (empty when all went well). */
    List<String> finish() {
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.NANOSECONDS.toMillis(GIVE_UP_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Waits for child number {@code index} of the spawning thread, places it and releases it. */
    private void run(Thread spawning, int index) {
        int tid;
        try {
            tid = spawnerTid.get(GIVE_UP_NANOS, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            return;
        }
        Path children = Path.of("/proc/self/task/" + tid + "/children");
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        while (spawning.isAlive() && System.nanoTime() < deadline) {
            List<Integer> pids = read(children);
            if (pids.size() > index) {
                int pid = pids.get(index);
                try {
                    place(pid, index, deadline);
                } catch (IOException e) {
                    // Fail closed: the child must not run unplaced. This thread may
                    // have taken the agent's uid already, which cannot signal a
                    // child that is still root: a fresh thread (root) kills it.
                    synchronized (errors) {
                        errors.add("child " + index + " of " + pids + ": " + e.getMessage());
                    }
                    Thread killer = new Thread(() -> killQuietly(pid), "agentd-spawn-gate-kill");
                    killer.start();
                    try {
                        killer.join();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
                return;
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * Moves the child into its cgroup (as root), then sets its resource
     * limits and opens the gate as the agent's uid.
     *
     * <p>Why the uid change: setting another process's limits needs either
     * CAP_SYS_RESOURCE or the same uid and gid as the target (kernel/sys.c,
     * check_prlimit_permission), and our machines' root lacks
     * CAP_SYS_RESOURCE. This thread takes the agent's ids with raw per-thread
     * syscalls (the rest of the supervisor is untouched) and ends right after.
     * The FIFO is first opened with O_PATH while still root (the child is not
     * dumpable, so its /proc/PID/root needs root), then reopened for writing
     * through /proc/thread-self/fd as its owner.
     */
    private void place(int pid, int index, long deadline) throws IOException {
        if (cgroup != null) {
            cgroup.addProcess(pid);
        }
        // The init is spawned before the pivot (see SpawnSequence): its root is
        // still the host's, where its FIFO is under the staging root. It gets
        // no limits of the agent's (and, root until it drops to the agent's
        // uid, could not be given them by a thread with that uid).
        boolean init = index == SpawnSequence.INIT;
        Path inRoot = init ? stagingRoot.resolve(path(index).toString().substring(1)) : path(index);
        Path fifo = Path.of("/proc/" + pid + "/root").resolve(inRoot.toString().substring(1));
        try (Fd path = FileSyscall.openRaw(fifo, FileSyscall.O_PATH | FileSyscall.O_CLOEXEC, 0)) {
            if (!rlimits.isEmpty() && !init) {
                if (!agentChildIsRoot) {
                    // A root child's limits are set as root: same ids as the target.
                    CredentialSyscall.clearGroups();
                    CredentialSyscall.setresgid(gid);
                    CredentialSyscall.setresuid(uid);
                }
                for (Map.Entry<SandboxSpec.Rlimit, Long> e : rlimits.entrySet()) {
                    ResourceLimitSyscall.prlimit(pid, ResourceLimitSyscall.Resource.valueOf(e.getKey().name()),
                            e.getValue(), e.getValue());
                }
            }
            release(Path.of("/proc/thread-self/fd/" + path.number()), pid, deadline);
        }
    }

    /** Opens the writer end without blocking: ENXIO until the child has opened its end. */
    private static void release(Path fifo, int pid, long deadline) throws IOException {
        while (System.nanoTime() < deadline) {
            try (Fd w = FileSyscall.openRaw(fifo, FileSyscall.O_WRONLY | FileSyscall.O_NONBLOCK | FileSyscall.O_CLOEXEC, 0)) {
                return;
            } catch (SyscallException e) {
                if (!e.is(Errno.ENXIO)) {
                    throw e;
                }
                if (!Files.exists(Path.of("/proc/" + pid))) {
                    return; // the child is gone; the spawn reports it
                }
                LockSupport.parkNanos(20_000);
            }
        }
        String what;
        try {
            what = Files.readString(Path.of("/proc/" + pid + "/stat")).trim();
        } catch (IOException e) {
            what = "gone";
        }
        throw new IOException("child " + pid + " never opened the spawn gate (" + what + ")");
    }

    private static void killQuietly(int pid) {
        try {
            dev.agentd.linux.ProcessSyscall.kill(pid, dev.agentd.linux.ProcessSyscall.SIGKILL);
        } catch (SyscallException e) {
            // gone already
        }
    }

    private static List<Integer> read(Path children) {
        List<Integer> pids = new ArrayList<>();
        try {
            String s;
            try (java.io.InputStream in = Files.newInputStream(children)) {
                s = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            }
            if (!s.isEmpty()) {
                for (String p : s.split("\\s+")) {
                    pids.add(Integer.parseInt(p));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the spawning thread ended
        }
        return pids;
    }
}
