package dev.agentd.daemon;

import dev.agentd.linux.Fd;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.SyscallException;
import dev.agentd.linux.WaitStatus;
import dev.agentd.spawner.SandboxHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * A running agent's process as the supervisor sees it: one it spawned (its
 * child, reaped with the exit status) or one it re-adopted after a restart
 * (not its child: the kernel tells a process's exit status only to its parent,
 * so the status of an adopted agent's exit is unknown).
 */
interface AgentProcess {
    /** How the agent ended; both null when unknown. */
    record Exit(Integer code, Integer signal) {
        static final Exit UNKNOWN = new Exit(null, null);

        boolean failed() {
            return code == null || code != 0;
        }
    }

    int pid();

    /** A pidfd for the process, readable once it has ended; owned here, closed by {@link #release}. */
    Fd pidfd();

    void signal(int signal) throws IOException;

    /** Blocks until the agent has ended. */
    Exit awaitExit() throws IOException, InterruptedException;

    /** After the agent ended and its cgroup was emptied: reap what is ours. */
    void release();

    /** The start time of {@code pid} in clock ticks since boot ({@code /proc/PID/stat} field 22), empty when gone. */
    static OptionalLong startTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** An agent this agentd spawned. */
    final class Spawned implements AgentProcess {
        private final SandboxHandle handle;

        Spawned(SandboxHandle handle) {
            this.handle = handle;
        }

        @Override
        public int pid() {
            return handle.pid();
        }

        @Override
        public Fd pidfd() {
            return handle.pidfd();
        }

        @Override
        public void signal(int signal) throws IOException {
            handle.signal(signal);
        }

        @Override
        public Exit awaitExit() throws IOException {
            WaitStatus s = handle.waitFor();
            return s.exited() ? new Exit(s.exitCode(), null) : new Exit(null, s.signal());
        }

        @Override
        public void release() {
            handle.reapInit();
            handle.close();
        }
    }

    /** An agent found running at start-up, spawned by an earlier agentd. */
    final class Adopted implements AgentProcess {
        private static final long POLL_MILLIS = 200;
        private final int pid;
        private final long startTicks;
        private final Fd pidfd;

        Adopted(int pid, long startTicks) throws SyscallException {
            this.pid = pid;
            this.startTicks = startTicks;
            this.pidfd = ProcessSyscall.pidfdOpen(pid);
        }

        @Override
        public int pid() {
            return pid;
        }

        @Override
        public Fd pidfd() {
            return pidfd;
        }

        @Override
        public void signal(int signal) throws IOException {
            ProcessSyscall.pidfdSendSignal(pidfd, signal);
        }

        @Override
        public Exit awaitExit() throws InterruptedException {
            // Not our child: no waitpid. The process is gone (or a zombie of
            // its new parent) once its start time no longer matches. Called
            // once its pidfd is readable, so this does not poll in practice.
            while (alive()) {
                Thread.sleep(POLL_MILLIS);
            }
            return Exit.UNKNOWN;
        }

        private boolean alive() {
            OptionalLong t = startTicks(pid);
            if (t.isEmpty() || t.getAsLong() != startTicks) {
                return false;
            }
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void release() {
            pidfd.close();
        }
    }
}
