package dev.agentd.daemon;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.cgroups.CgroupException;
import dev.agentd.linux.Fd;
import dev.agentd.linux.FdPassing;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.PidfdInfo;
import dev.agentd.linux.ProcessSyscall;
import dev.agentd.linux.Spawn;
import dev.agentd.linux.SyscallException;
import dev.agentd.linux.WaitStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keeps an agent's exit status where a restarted agentd finds it. Only a
 * process's parent learns its exit status from wait(2); an agent that ends
 * while no agentd runs is reaped by whoever inherited it. On Linux ≥ 6.15 the
 * kernel also records the status for every pidfd of the process still open
 * at the reap ({@link PidfdInfo}), so agentd parks a pidfd of each agent where
 * it outlives agentd: sent as {@code SCM_RIGHTS} into a datagram socket whose
 * one end is held by a keeper — {@code sleep infinity} as the agent's uid, no
 * capabilities, no_new_privs — in the agent's cgroup (so it survives agentd
 * like the agent, and goes with the agent's cgroup). A restarted agentd finds
 * the keeper in the cgroup (its only process outside the sandbox's pid
 * namespace), takes a copy of its socket (pidfd_getfd) and peeks at the parked
 * pidfd, leaving it parked for the next restart.
 *
 * <p>The sandbox's own init cannot hold it: catatonit closes every descriptor
 * above 2 it inherits. The keeper is outside the tree a checkpoint dumps (the
 * agent, PID 2, and its descendants), so CRIU never sees the socket; a
 * restored agent gets a keeper of its own. On older kernels nothing is parked.
 */
final class ExitKeeper {
    static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    static final Path SLEEP = Path.of("/bin/sleep");
    /** The keeper's descriptor of the socket the pidfd is parked in. */
    static final int SOCKET_FD = 3;
    static final String NAME = "sleep";

    private ExitKeeper() {}

    /** Whether this kernel keeps exit statuses for pidfds, so parking one is worth it. */
    static boolean available() {
        return PidfdInfo.exitSupported();
    }

    /** Why a re-adopting agentd may not know an exit status, for the audit. */
    static String unavailableNote() {
        return available() ? "its exit-status keeper was gone"
                : "this kernel keeps no exit status for a process nobody here is the parent of"
                        + " (pidfd PIDFD_INFO_EXIT, Linux >= 6.15)";
    }

    /**
     * Parks {@code agentPidfd} with a new keeper placed in {@code cg}.
     *
     * @return the keeper's pid: this agentd's child, to reap after the cgroup was emptied
     */
    static int park(Fd agentPidfd, Cgroup cg, int uid) throws IOException {
        Fd[] pair = FdPassing.socketPair();
        int pid = -1;
        try {
            FdPassing.send(pair[0], agentPidfd);
            Path devNull = Path.of("/dev/null");
            pid = Spawn.of(SETPRIV).args(List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--", SLEEP.toString(), "infinity"))
                    .env(Map.of("PATH", "/usr/bin:/bin"))
                    .open(0, devNull, FileSyscall.O_RDONLY, 0)
                    .open(1, devNull, FileSyscall.O_WRONLY, 0)
                    .open(2, devNull, FileSyscall.O_WRONLY, 0)
                    .dup2(pair[1].number(), SOCKET_FD)
                    .closeFrom(SOCKET_FD + 1)
                    .chdir(Path.of("/"))
                    .newSession()
                    .start();
            cg.addProcess(pid);
            return pid;
        } catch (IOException | RuntimeException e) {
            if (pid > 0) {
                reap(pid, true);
            }
            throw e;
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    /** Reaps a keeper this agentd started (killing it first when {@code kill}). */
    static void reap(int pid, boolean kill) {
        try {
            if (kill) {
                ProcessSyscall.kill(pid, ProcessSyscall.SIGKILL);
            }
        } catch (SyscallException e) {
            // already gone
        }
        try {
            ProcessSyscall.waitFor(pid);
        } catch (SyscallException e) {
            // already reaped
        }
    }

    /**
     * How the agent whose cgroup is {@code cg} ended, as the pidfd its keeper
     * holds tells; empty when it has not been reaped yet, there is no keeper,
     * or the kernel does not keep exit statuses.
     */
    static Optional<WaitStatus> parkedExit(Cgroup cg) {
        if (cg == null || !available()) {
            return Optional.empty();
        }
        try {
            for (long pid : cg.pids()) {
                String status;
                try {
                    status = Files.readString(Path.of("/proc/" + pid + "/status"));
                } catch (IOException e) {
                    continue;
                }
                if (!isKeeper(status)) {
                    continue;
                }
                try (Fd keeper = ProcessSyscall.pidfdOpen((int) pid);
                        Fd socket = ProcessSyscall.pidfdGetfd(keeper, SOCKET_FD)) {
                    Optional<Fd> parked = FdPassing.peek(socket);
                    if (parked.isPresent()) {
                        try (Fd p = parked.get()) {
                            return PidfdInfo.exit(p);
                        }
                    }
                } catch (SyscallException e) {
                    System.err.println("agentd: reading the parked exit status from keeper " + pid + ": " + e.getMessage());
                }
            }
        } catch (CgroupException e) {
            System.err.println("agentd: " + e.getMessage());
        }
        return Optional.empty();
    }

    /**
     * Whether a {@code /proc/PID/status} is a keeper's: named {@value #NAME}
     * and in the reader's own pid namespace (one {@code NSpid} entry) — every
     * other process of an agent's cgroup is in the sandbox's, one level down.
     */
    static boolean isKeeper(String procStatus) {
        String name = null;
        String nspid = null;
        for (String line : procStatus.split("\n")) {
            if (line.startsWith("Name:")) {
                name = line.substring(5).strip();
            } else if (line.startsWith("NSpid:")) {
                nspid = line.substring(6).strip();
            }
        }
        return NAME.equals(name) && nspid != null && !nspid.isEmpty() && nspid.split("\\s+").length == 1;
    }
}
