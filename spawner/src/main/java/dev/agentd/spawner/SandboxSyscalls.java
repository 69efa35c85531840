package dev.agentd.spawner;

import dev.agentd.cgroups.Cgroup;
import dev.agentd.linux.Fd;
import dev.agentd.linux.NamespaceSyscall.Namespace;
import dev.agentd.linux.Spawn;
import dev.agentd.linux.WaitStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * The kernel operations of one spawn, as a seam: {@link LinuxSandboxSyscalls}
 * performs them, and a recording fake in the unit tests pins their order.
 * Every method acts on the calling thread.
 */
interface SandboxSyscalls {
    /** Initialises lazy native and class state that must not happen after the thread restricts itself. */
    void warmUp();

    int gettid();

    void joinCgroup(Cgroup cgroup, int tid) throws IOException;

    void unshare(Set<Namespace> namespaces) throws IOException;

    void sethostname(String hostname) throws IOException;

    void loopbackUp() throws IOException;

    void mount(String source, Path target, String fstype, long flags, String data) throws IOException;

    void mkdirs(Path dir) throws IOException;

    void touch(Path file) throws IOException;

    void symlink(Path link, String target) throws IOException;

    Fd openLog(Path file) throws IOException;

    /** Creates the spawn gate's FIFO, readable by {@code uid} only. */
    void makeGate(Path fifo, int uid) throws IOException;

    /** Creates the Landlock ruleset with rules on staging paths; nothing is enforced yet. */
    LandlockPlan.Prepared prepareLandlock(LandlockPlan plan) throws IOException;

    /** Makes {@code newRoot} the thread's root and detaches the old one. */
    void pivotRoot(Path newRoot) throws IOException;

    void dropBoundingSet() throws IOException;

    void clearGroups() throws IOException;

    void setresgid(int gid) throws IOException;

    void setresuid(int uid) throws IOException;

    void clearCapabilities() throws IOException;

    void setNoNewPrivs() throws IOException;

    /** Enforces the prepared ruleset on the thread; returns what was dropped under best effort. */
    List<String> restrictLandlock(LandlockPlan.Prepared prepared) throws IOException;

    void installSeccomp(byte[] filter) throws IOException;

    int spawn(Spawn spawn) throws IOException;

    /**
     * Spawns the sandbox's init and waits until it reports ready: {@code withReadyFd}
     * builds the spawn given the number of a pipe's write end, on which the child
     * writes {@code ok} and which it closes once ready (end of file without it: failed).
     */
    int spawnAndAwaitReady(IntFunction<Spawn> withReadyFd) throws IOException;

    void kill(int pid);

    /** Opens a host directory (read-only) for a child to inherit. */
    Fd openDirectory(Path dir) throws IOException;

    /** Copies the tree below {@code from} into the existing directory {@code to}, keeping owners and modes. */
    void copyTree(Path from, Path to) throws IOException;

    /** Waits for a child of this process and reaps it. */
    WaitStatus waitFor(int pid) throws IOException;

    /** What a child wrote on its stdout (at most {@link #MAX_COLLECTED} bytes) and how it ended. */
    record Collected(WaitStatus status, String output) {}

    int MAX_COLLECTED = 64 * 1024;

    /**
     * Spawns a child whose stdout is a pipe's write end ({@code withOutFd} gets its
     * number), reads it to the end and reaps the child.
     */
    Collected spawnAndCollect(IntFunction<Spawn> withOutFd) throws IOException;
}
