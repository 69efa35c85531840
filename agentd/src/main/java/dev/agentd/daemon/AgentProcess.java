package dev.agentd.daemon;

import dev.agentd.linux.Fd;
import dev.agentd.linux.PidfdInfo;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.SyscallException;
import dev.agentd.linux.WaitStatus;
import dev.agentd.spawner.SandboxHandle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A running agent's process as the supervisor sees it: one it spawned (its
 * child, reaped with the exit status) or one it re-adopted after a restart
 * (not its child: wait(2) tells a process's exit status only to its parent; an
 * adopted agent's comes from its pidfd on Linux ≥ 6.15, see {@link PidfdInfo},
 * or from {@code /proc} while it is a zombie, and is unknown otherwise).
 */
interface AgentProcess {
    /** How the agent ended; both null when unknown. */
    record Exit(Integer code, Integer signal) {
        static final Exit UNKNOWN = new Exit(null, null);

        boolean failed() {
            return code == null || code != 0;
        }

        static Exit of(WaitStatus s) {
            return s.exited() ? new Exit(s.exitCode(), null) : new Exit(null, s.signal());
        }

        boolean known() {
            return code != null || signal != null;
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

    /**
     * How process {@code pid} ended, from its {@code /proc/PID/stat} while it
     * is a zombie (field 52, {@code exit_code}, a wait(2) status word, Linux ≥
     * 3.5); empty when it is gone, alive, or another process with another start time.
     */
    static Optional<Exit> zombieExit(int pid, long startTicks) {
        try {
            return zombieExit(Files.readString(Path.of("/proc/" + pid + "/stat")), startTicks);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static Optional<Exit> zombieExit(String stat, long startTicks) {
        try {
            // Fields after the command name (field 2, which may hold spaces and parentheses): f[0] is field 3.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split(" ");
            if (f.length < 50 || !f[0].equals("Z") || Long.parseLong(f[19]) != startTicks) {
                return Optional.empty();
            }
            int status = Integer.parseInt(f[49]);
            int sig = status & 0x7f;
            return Optional.of(sig == 0 ? new Exit((status >> 8) & 0xff, null) : new Exit(null, sig));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** An agent this agentd spawned. */
    final class Spawned implements AgentProcess {
        private final SandboxHandle handle;
        /** The process keeping its exit status across a restart (see {@link ExitKeeper}), or 0. */
        private final int keeper;

        Spawned(SandboxHandle handle, int keeper) {
            this.handle = handle;
            this.keeper = keeper;
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
            return Exit.of(handle.waitFor());
        }

        @Override
        public void release() {
            handle.reapInit();
            if (keeper > 0) {
                ExitKeeper.reap(keeper, true);
            }
            handle.close();
        }
    }

    /** An agent found running at start-up, spawned by an earlier agentd. */
    final class Adopted implements AgentProcess {
        private static final long POLL_MILLIS = 200;
        /** How long the exit status may take to show after the process ended: its new parent reaps it meanwhile. */
        private static final int STATUS_TRIES = 100;
        private static final long STATUS_POLL_MILLIS = 20;
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
            return exitStatus();
        }

        /**
         * From the pidfd once the process has been reaped (Linux ≥ 6.15), or
         * from /proc while it is still a zombie; between the two the status may
         * be in neither for a moment (the reap in progress), so look again.
         */
        private Exit exitStatus() throws InterruptedException {
            for (int i = 0; i < STATUS_TRIES; i++) {
                try {
                    Optional<WaitStatus> s = PidfdInfo.exit(pidfd);
                    if (s.isPresent()) {
                        return Exit.of(s.get());
                    }
                } catch (SyscallException e) {
                    // not a status: go on with /proc
                }
                Optional<Exit> z = zombieExit(pid, startTicks);
                if (z.isPresent()) {
                    return z.get();
                }
                if (!PidfdInfo.exitSupported()) {
                    return Exit.UNKNOWN; // reaped by its new parent, which alone learnt the status
                }
                Thread.sleep(STATUS_POLL_MILLIS);
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
