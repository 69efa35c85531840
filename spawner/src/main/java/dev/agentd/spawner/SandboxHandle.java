package dev.agentd.spawner;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.linux.Fd;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.SyscallException;
import dev.agentd.linux.WaitStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A running sandbox: the agent (a child of this JVM), its init, and its cgroup.
 * {@link #waitFor()} reaps the agent — the JVM never reaps children it did not
 * start through {@code ProcessBuilder}.
 */
public final class SandboxHandle implements AutoCloseable {
    private final SpawnResult result;
    private final Fd pidfd;
    private final Cgroup cgroup;
    private WaitStatus status;

    SandboxHandle(SpawnResult result, Fd pidfd, Cgroup cgroup) {
        this.result = result;
        this.pidfd = pidfd;
        this.cgroup = cgroup;
    }

    /** Host pid of the agent. */
    public int pid() {
        return result.agentPid();
    }

    /** Host pid of the sandbox's init (PID 1 inside). */
    public int initPid() {
        return result.initPid();
    }

    /**
     * The agent's pidfd (readable once it has ended, for an event loop over
     * many agents); owned by this handle, closed by {@link #close()}.
     */
    public Fd pidfd() {
        return pidfd;
    }

    /** Rules dropped under best effort; empty when everything was enforced. */
    public List<String> dropped() {
        return result.dropped();
    }

    public Optional<Cgroup> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    /**
     * Blocks until the agent ends, reaps it, and returns how it ended.
     * Idempotent. Holds no lock while it waits, so {@link #signal} works
     * meanwhile (a stop sends SIGTERM while the watcher waits here).
     */
    public WaitStatus waitFor() throws SyscallException {
        synchronized (this) {
            if (status != null) {
                return status;
            }
        }
        WaitStatus s = ProcessSyscall.waitFor(result.agentPid());
        synchronized (this) {
            status = s;
            notifyAll();
            return s;
        }
    }

    /** How the agent ended, if it has and was reaped; does not block. */
    public synchronized Optional<WaitStatus> poll() throws SyscallException {
        if (status == null) {
            WaitStatus s = ProcessSyscall.pollChild(result.agentPid());
            if (s != null) {
                status = s;
            }
        }
        return Optional.ofNullable(status);
    }

    /**
     * Sends {@code signal} to the agent through its pidfd, which stays open
     * until {@link #close()}: after the agent ended it refers to nothing, so a
     * late signal can never reach a process that reused the pid.
     */
    public void signal(int signal) throws SyscallException {
        synchronized (this) {
            if (status != null) {
                return;
            }
        }
        try {
            ProcessSyscall.pidfdSendSignal(pidfd, signal);
        } catch (SyscallException e) {
            if (!e.is(dev.agentd.linux.Errno.ESRCH)) {
                throw e;
            }
        }
    }

    /**
     * Kills everything in the sandbox — the agent, its descendants and the
     * init — through the cgroup when there is one, and reaps the agent.
     */
    public void killTree(Duration timeout) throws java.io.IOException {
        if (cgroup != null) {
            cgroup.killAll(timeout);
        } else {
            signal(ProcessSyscall.SIGKILL);
            try {
                ProcessSyscall.kill(result.initPid(), ProcessSyscall.SIGKILL);
            } catch (SyscallException e) {
                // init already gone
            }
        }
        waitFor();
        reapInit();
    }

    /** Reaps the init once it has ended (it is this JVM's child too). */
    public void reapInit() {
        try {
            ProcessSyscall.kill(result.initPid(), ProcessSyscall.SIGKILL);
        } catch (SyscallException e) {
            // already gone
        }
        try {
            ProcessSyscall.waitFor(result.initPid());
        } catch (SyscallException e) {
            // already reaped
        }
    }

    @Override
    public void close() {
        pidfd.close();
    }
}
