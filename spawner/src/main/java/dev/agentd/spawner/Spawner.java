package dev.agentd.spawner;

import dev.agentd.linux.Fd;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.Spawn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Launches sandboxed processes. Each {@link #spawn} runs the spawn sequence on
 * a fresh platform thread that restricts itself, spawns the sandbox's init and
 * program, and ends; the calling thread and every other thread of this JVM
 * keep their privileges. Thread-safe: spawns may run concurrently.
 */
public final class Spawner {
    private final SandboxSyscalls sys;

    private Spawner(SandboxSyscalls sys) {
        this.sys = sys;
    }

    /**
     * A spawner on the real kernel. Runs {@code /bin/true} once, unconfined,
     * so that every native and class path of a spawn is initialised on a
     * thread that can still load them (the probe end to end Bazel does).
     */
    public static Spawner create() throws IOException {
        LinuxSandboxSyscalls sys = new LinuxSandboxSyscalls();
        sys.warmUp();
        int pid = Spawn.of(Path.of("/bin/true")).args("true").closeFrom(3).start();
        ProcessSyscall.waitFor(pid);
        return new Spawner(sys);
    }

    /** For tests: a spawner over another syscall seam. */
    static Spawner over(SandboxSyscalls sys) {
        return new Spawner(sys);
    }

    /**
     * Spawns the sandbox {@code spec} describes.
     *
     * @throws SpawnException naming the step that failed; nothing of the sandbox is left running
     */
    public SandboxHandle spawn(SandboxSpec spec) throws IOException {
        SpawnResult result = runOnFreshThread(spec);
        Fd pidfd;
        try {
            pidfd = ProcessSyscall.pidfdOpen(result.agentPid());
        } catch (IOException e) {
            // The agent may already have exited and been... no: it is our
            // unreaped child, so pidfd_open only fails on kernels < 5.3.
            throw new SpawnException("pidfd", e.getMessage(), e);
        }
        return new SandboxHandle(result, pidfd, spec.cgroup().orElse(null));
    }

    /**
     * Thread.join returns when the Java thread is done, slightly before the
     * kernel task exits; until then it is still a member of the agent's v1
     * cgroups, and a quick agent's cleanup would find the supervisor inside.
     */
    private static void awaitKernelExit(int tid) {
        if (tid == 0) {
            return;
        }
        Path task = Path.of("/proc/self/task/" + tid);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (java.nio.file.Files.exists(task) && System.nanoTime() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    /** A restored sandbox, and what the confinement probe inside it printed. */
    public record Restored(SandboxHandle handle, String probeOutput) {}

    /**
     * Builds a fresh sandbox from {@code spec} and restores a checkpointed agent
     * into it (see {@link Restore}). Before returning, the restored agent is
     * checked from the outside (uid, gid, groups, capabilities, no_new_privs,
     * seccomp, namespaces, cgroup) against {@code spec}, after the probe checked
     * it from the inside; any mismatch kills the whole sandbox.
     *
     * @throws SpawnException naming the step that failed; nothing of the sandbox is left running
     */
    public Restored restore(SandboxSpec spec, Restore restore) throws IOException {
        SpawnSequence sequence = new SpawnSequence(spec, sys, restore);
        SpawnResult r = runOnFreshThread(spec, sequence);
        int agent;
        Fd pidfd;
        try {
            agent = Confinement.findInNamespace(r.initPid(), 2).orElseThrow(() -> new SpawnException("verify",
                    "the restorer succeeded but no process is PID 2 in the sandbox", null));
            pidfd = ProcessSyscall.pidfdOpen(agent);
        } catch (IOException e) {
            killNamespace(r.initPid());
            throw e instanceof SpawnException se ? se : new SpawnException("verify", e.getMessage(), e);
        }
        List<String> problems;
        try {
            problems = Confinement.problems(agent, r.initPid(), spec);
            if (ProcessSyscall.pollChild(agent) != null) {
                problems = List.of("the restored agent exited at once");
            }
        } catch (IOException e) {
            problems = List.of("cannot read its status: " + e.getMessage());
        }
        SandboxHandle handle = new SandboxHandle(new SpawnResult(r.initPid(), agent, r.dropped()), pidfd,
                spec.cgroup().orElse(null));
        if (!problems.isEmpty()) {
            // The init's end takes down its pid namespace, and with it every restored process.
            killNamespace(r.initPid());
            handle.close();
            throw new SpawnException("verify", "the restored agent is not confined as its manifest says: "
                    + String.join("; ", problems), null);
        }
        return new Restored(handle, sequence.probeOutput());
    }

    /**
     * Kills a sandbox's pid namespace through its init and reaps what is ours
     * in it. A dying init waits until every process of its namespace has been
     * reaped; those that are this JVM's children (a restored agent, what a
     * failed restorer left) only this JVM can reap, so they are reaped before
     * the init is waited for.
     */
    private void killNamespace(int init) {
        List<Integer> ours = List.of();
        try {
            ours = Confinement.childrenInNamespace(init);
        } catch (IOException e) {
            // the namespace is already gone
        }
        try {
            ProcessSyscall.kill(init, ProcessSyscall.SIGKILL);
        } catch (IOException e) {
            // already gone
        }
        for (int pid : ours) {
            sys.kill(pid);
        }
        sys.kill(init);
    }

    SpawnResult runOnFreshThread(SandboxSpec spec) throws SpawnException {
        return runOnFreshThread(spec, new SpawnSequence(spec, sys));
    }

    private SpawnResult runOnFreshThread(SandboxSpec spec, SpawnSequence sequence) throws SpawnException {
        AtomicReference<SpawnResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        SpawnGate gate = SpawnGate.needed(spec)
                ? new SpawnGate(spec.cgroup().filter(c -> !c.canJoinThread()).orElse(null), spec.rlimits(), spec.uid(),
                        spec.gid(), 2, spec.stagingDir(), sequence.isRestore())
                : null;
        // A platform thread (never virtual: the restrictions are per kernel
        // task) that ends right after the spawn, taking its namespaces,
        // credentials and filters with it.
        java.util.concurrent.atomic.AtomicInteger tid = new java.util.concurrent.atomic.AtomicInteger();
        Thread t = new Thread(() -> {
            try {
                tid.set(sys.gettid());
                if (gate != null) {
                    gate.spawnerStarted(tid.get());
                }
                result.set(sequence.run());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "agentd-spawn-" + spec.name());
        t.setDaemon(true);
        if (gate != null) {
            gate.start(t);
        }
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        awaitKernelExit(tid.get());
        List<String> gateErrors = gate == null ? List.of() : gate.finish();
        Throwable f = failure.get();
        if (f != null && sequence.leftoverInit() > 0) {
            killNamespace(sequence.leftoverInit()); // nothing half-done: the namespaces go with it
        }
        if (f == null && !gateErrors.isEmpty()) {
            // A child could not be placed (cgroup or limits): it was killed at
            // the gate; take the sandbox down rather than run it unconfined.
            SpawnResult r = result.get();
            if (r.agentPid() > 0) {
                sys.kill(r.agentPid());
            }
            sys.kill(r.initPid());
            throw new SpawnException("gate", String.join("; ", gateErrors), null);
        }
        if (f instanceof SpawnException se) {
            if (!gateErrors.isEmpty()) {
                throw new SpawnException(se.step(), se.getMessage() + "; spawn gate: " + String.join("; ", gateErrors), se);
            }
            throw se;
        }
        if (f != null) {
            throw new SpawnException("unexpected", f.toString(), f);
        }
        return result.get();
    }
}
