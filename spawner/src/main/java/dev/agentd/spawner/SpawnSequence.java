package dev.agentd.spawner;

import dev.agentd.linux.Fd;
import dev.agentd.linux.FileSyscall;
import dev.agentd.linux.NamespaceSyscall.Namespace;
import dev.agentd.linux.Spawn;
import dev.agentd.spawner.SandboxSpec.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.agentd.linux.MountSyscall.MS_BIND;
import static dev.agentd.linux.MountSyscall.MS_NODEV;
import static dev.agentd.linux.MountSyscall.MS_NOEXEC;
import static dev.agentd.linux.MountSyscall.MS_NOSUID;
import static dev.agentd.linux.MountSyscall.MS_RDONLY;
import static dev.agentd.linux.MountSyscall.MS_REC;
import static dev.agentd.linux.MountSyscall.MS_REMOUNT;
import static dev.agentd.linux.MountSyscall.MS_SLAVE;

/**
 * The spawn of one sandbox, as named steps, run on a fresh single-use thread
 * that restricts <em>itself</em> and then spawns the init and the agent with
 * {@code posix_spawn}, which inherit the thread's namespaces, root,
 * credentials, no_new_privs, Landlock domain, seccomp filter and v1 cgroups
 * (kernel-facts.md, "Why a JVM cannot simply fork"). The supervisor's other
 * threads are untouched.
 *
 * <p>Read {@link #run} top to bottom: each step says why it stands where it
 * does. Every kernel operation goes through {@link SandboxSyscalls}, so a unit
 * test can pin the order.
 */
final class SpawnSequence {
    /** Devices an ordinary program expects; bound from the host's /dev, read-write. */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
    /** The sandbox's /usr/bin, /bin etc. search path. */
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
    /** The init's helpers, from util-linux and the base system (present on every Debian). */
    static final String SH = "/bin/sh";
    static final String SETPRIV = "/usr/bin/setpriv";
    /** Where the init finds its ready pipe (3 is the spawn gate's). */
    static final int READY_FD = 4;

    /** The children of a spawn, in the order they are spawned (the spawn gate relies on it). */
    static final int INIT = 0;
    static final int AGENT = 1;

    private final SandboxSpec spec;
    private final SandboxSyscalls sys;
    private final Path root;
    private final List<String> dropped = new ArrayList<>();
    private final boolean gated;
    private final Restore restore;
    private volatile int startedInit = -1;
    private volatile String probeOutput = "";

    /**
     * The last pid the init leaves taken in the new namespace. A spawn resets it
     * to 1, so the agent is PID 2. A restore sets it high, so the restorer and its
     * helpers do not take the pids the restored tree needs (CRIU gives each
     * process its old pid); below 32768, the smallest pid_max.
     */
    static final int SPAWN_LAST_PID = 1;
    static final int RESTORE_LAST_PID = 30000;

    SpawnSequence(SandboxSpec spec, SandboxSyscalls sys) {
        this(spec, sys, null);
    }

    /** A restore instead of a spawn when {@code restore} is not null (see {@link Restore}). */
    SpawnSequence(SandboxSpec spec, SandboxSyscalls sys, Restore restore) {
        this.spec = spec;
        this.sys = sys;
        this.root = spec.stagingDir();
        this.gated = SpawnGate.needed(spec);
        this.restore = restore;
    }

    SpawnResult run() throws SpawnException {
        // Native binding and every class used below are initialised first:
        // after unshare(CLONE_NEWPID) this thread cannot start the threads a
        // lazy initialisation may want, and after pivot_root it cannot read
        // class files from the host.
        step("warm-up", () -> sys.warmUp());
        int tid = sys.gettid();
        // The cgroup is joined before unsharing the cgroup namespace, so that
        // namespace is rooted at the agent's own cgroup, and before any spawn,
        // so the agent is inside its limits before its first instruction (v1:
        // children inherit the spawning thread's cgroups).
        // (v2 cannot place a thread: the spawn gate places each child instead.)
        if (spec.cgroup().isPresent() && spec.cgroup().get().canJoinThread()) {
            step("join-cgroup", () -> sys.joinCgroup(spec.cgroup().get(), tid));
        }
        step("unshare", () -> sys.unshare(namespaces()));
        step("hostname", () -> sys.sethostname(spec.hostname()));
        if (spec.network() == Network.NONE) {
            // A fresh network namespace has lo down; programs expect 127.0.0.1.
            step("loopback", () -> sys.loopbackUp());
        }
        // Slave propagation: nothing mounted below reaches the host, while the
        // host's later unmounts still propagate in.
        step("mount-propagation", () -> sys.mount(null, Path.of("/"), null, MS_REC | MS_SLAVE, null));
        step("root-tmpfs", () -> sys.mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m"));
        // /tmp before the bind mounts: a grant below /tmp (a test's temp
        // directory, say) is bound inside the private tmpfs rather than hidden by it.
        step("tmp", this::mountTmp);
        if (restore != null && restore.tmpContents().isPresent()) {
            // CRIU saves no tmpfs contents; the files the agent had open there must be back before it is.
            step("restore-tmp", () -> sys.copyTree(restore.tmpContents().get(), staged(SandboxSpec.Reserved.TMP)));
        }
        step("bind-mounts", this::bindMounts);
        step("dev", this::mountDev);
        step("proc-mountpoint", () -> sys.mkdirs(staged(SandboxSpec.Reserved.PROC)));
        step("workdir", this::ensureWorkdir);
        if (gated) {
            // A FIFO owned by the agent's uid (0600), opened by each child right after its stdio:
            // it holds the child until the gate has placed it (see SpawnGate).
            step("gate", () -> {
                sys.makeGate(staged(SpawnGate.path(INIT)), spec.uid());
                sys.makeGate(staged(SpawnGate.path(AGENT)), spec.uid());
            });
        }
        // The log file is bound into the view and opened there: the agent gets
        // it as stdout/stderr by dup2, and its descriptors name a path of its
        // own view (a checkpoint cannot save a descriptor to a path outside).
        // No Landlock rule covers that path: the agent cannot open it again.
        call("create-log", () -> sys.openLog(spec.logFile())).close();
        step("log-mount", () -> {
            Path inView = staged(SandboxSpec.Reserved.LOG);
            for (BindMount m : spec.mounts()) {
                if (SandboxSpec.Reserved.LOG.startsWith(m.target())) {
                    throw new IOException("the agent's log is bound at " + SandboxSpec.Reserved.LOG + ", inside "
                            + m.target() + ", which is bound from the host: grant a directory below it instead");
                }
            }
            sys.mkdirs(inView.getParent());
            sys.touch(inView);
            sys.mount(spec.logFile().toString(), inView, null, MS_BIND, null);
            sys.mount(null, inView, null, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        });
        Fd log = call("open-log", () -> sys.openLog(staged(SandboxSpec.Reserved.LOG)));
        // The images directory is outside the view: the restorer gets it as a descriptor opened now.
        Fd images = restore == null ? null : call("open-images", () -> sys.openDirectory(restore.imagesDir()));
        try {
            // The init comes first, while this thread is still root: it mounts
            // the sandbox's /proc from inside the new pid namespace (a proc
            // shows the pid namespace of its mounter, and a thread's own never
            // changes), then drops to the agent's uid, no capabilities and
            // no_new_privs, and becomes the reaping init. The /proc is there
            // before the Landlock rules are made, so the rule is on it. Pids in
            // it are the agent's own: CRIU (checkpoint) needs exactly that.
            int init = call("spawn-init", () -> sys.spawnAndAwaitReady(this::initSpawn));
            startedInit = init;
            // Rules are attached to inodes, so they are created on the staging
            // paths now (same inodes as in the final view) while Java can still
            // resolve paths and load classes; enforcement comes later.
            LandlockPlan.Prepared landlock = call("landlock-prepare", () -> sys.prepareLandlock(landlockPlan()));
            // The root tmpfs is made read-only once every mount point exists.
            step("root-readonly", () -> sys.mount(null, root, null,
                    MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=0755"));
            step("pivot-root", () -> sys.pivotRoot(root));
            if (restore != null) {
                return restoreAfterPivot(init, landlock, images);
            }
            // Bounding set and groups need CAP_SETPCAP / CAP_SETGID, so they go
            // before the uid change; after setresuid to a non-zero uid the
            // kernel clears the permitted and effective sets, and capset
            // clears what is left (inheritable).
            step("drop-bounding-set", () -> sys.dropBoundingSet());
            step("clear-groups", () -> sys.clearGroups());
            step("setresgid", () -> sys.setresgid(spec.gid()));
            step("setresuid", () -> sys.setresuid(spec.uid()));
            step("clear-capabilities", () -> sys.clearCapabilities());
            // no_new_privs before Landlock and seccomp: both require it of an
            // unprivileged thread, and it stops setuid binaries undoing them.
            step("no-new-privs", () -> sys.setNoNewPrivs());
            step("landlock", () -> dropped.addAll(sys.restrictLandlock(landlock)));
            // seccomp is the last restriction before execve (as in bubblewrap):
            // every step above needs syscalls the filter denies.
            if (spec.seccompFilter().isPresent()) {
                byte[] filter = spec.seccompFilter().get();
                step("seccomp", () -> sys.installSeccomp(filter));
            }
            int agentPid = call("spawn-agent", () -> sys.spawn(agentSpawn(log)));
            startedInit = -1; // handed over
            return new SpawnResult(init, agentPid, dropped);
        } finally {
            log.close();
            if (images != null) {
                images.close();
            }
        }
    }

    /**
     * The rest of a restore. The thread stays root (Landlock needs no
     * no_new_privs from a thread with CAP_SYS_ADMIN) and installs no seccomp
     * filter: the restorer drops to the agent's uid and capabilities itself
     * and puts the agent's own credentials, no_new_privs and filter back from
     * the images. The Landlock domain is the agent's, made here: the restored
     * processes are forked by the restorer and born in it.
     */
    private SpawnResult restoreAfterPivot(int init, LandlockPlan.Prepared landlock, Fd images) throws SpawnException {
        step("landlock", () -> dropped.addAll(sys.restrictLandlock(landlock)));
        int restorer = call("spawn-restorer", () -> sys.spawn(restorerSpawn(images)));
        dev.agentd.linux.WaitStatus st = call("restore", () -> sys.waitFor(restorer));
        if (!st.exited() || st.exitCode() != 0) {
            throw new SpawnException("restore", "the restorer " + restore.restorer().get(0) + " failed (" + st + ")", null);
        }
        // A probe in the very domain the restored agent was born in: its refusals are the agent's.
        SandboxSyscalls.Collected probe = call("restore-probe", () -> sys.spawnAndCollect(this::probeSpawn));
        probeOutput = probe.output();
        if (!probe.status().exited() || probe.status().exitCode() != 0) {
            throw new SpawnException("restore-probe", "the confinement probe failed (" + probe.status() + "): "
                    + probe.output().strip(), null);
        }
        startedInit = -1; // handed over
        return new SpawnResult(init, 0, dropped);
    }

    boolean isRestore() {
        return restore != null;
    }

    /** What the restore's confinement probe printed; empty for a spawn. */
    String probeOutput() {
        return probeOutput;
    }

    private Spawn restorerSpawn(Fd images) {
        String caps = String.join(",", Restore.CAPABILITIES.stream().map(c -> "+" + c).toList());
        List<String> argv = new ArrayList<>(List.of(SETPRIV, "--reuid=" + spec.uid(), "--regid=" + spec.gid(),
                "--clear-groups", "--inh-caps=-all," + caps, "--ambient-caps=" + caps, "--bounding-set=-all," + caps, "--"));
        argv.addAll(restore.restorer());
        Path devNull = Path.of("/dev/null");
        Spawn s = Spawn.of(Path.of(SETPRIV)).args(argv).env(Map.of("PATH", DEFAULT_PATH))
                .open(0, devNull, FileSyscall.O_RDONLY, 0)
                .open(1, devNull, FileSyscall.O_WRONLY, 0)
                .open(2, devNull, FileSyscall.O_WRONLY, 0)
                .dup2(images.number(), Restore.IMAGES_FD);
        return gate(AGENT, s).closeFrom(Restore.IMAGES_FD + 1).chdir(Path.of("/")).newSession();
    }

    private Spawn probeSpawn(int outFd) {
        List<String> argv = new ArrayList<>(List.of(SETPRIV, "--reuid=" + spec.uid(), "--regid=" + spec.gid(),
                "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        argv.addAll(restore.probe());
        return Spawn.of(Path.of(SETPRIV)).args(argv).env(Map.of("PATH", DEFAULT_PATH))
                .open(0, Path.of("/dev/null"), FileSyscall.O_RDONLY, 0)
                .dup2(outFd, 1)
                .dup2(outFd, 2)
                .closeFrom(3)
                .chdir(Path.of("/"))
                .newSession();
    }

    /**
     * The init of a run that failed after starting it, or -1. The caller kills it:
     * this thread cannot once it is restricted (the init is outside its Landlock
     * domain, and the signal scope forbids that).
     */
    int leftoverInit() {
        return startedInit;
    }

    private Set<Namespace> namespaces() {
        Set<Namespace> ns = EnumSet.of(Namespace.MOUNT, Namespace.PID, Namespace.IPC, Namespace.UTS, Namespace.CGROUP);
        if (spec.network() == Network.NONE) {
            ns.add(Namespace.NET);
        }
        return ns;
    }

    private Path staged(Path sandboxPath) {
        return root.resolve(Path.of("/").relativize(sandboxPath));
    }

    private void bindMounts() throws IOException {
        List<BindMount> sorted = new ArrayList<>(spec.mounts());
        sorted.sort(Comparator.comparingInt((BindMount m) -> m.target().getNameCount()).thenComparing(m -> m.target().toString()));
        List<Path> done = new ArrayList<>();
        for (BindMount m : sorted) {
            Path target = staged(m.target());
            boolean insideBind = done.stream().anyMatch(d -> m.target().startsWith(d));
            if (m.source().equals(m.target()) && Files.isSymbolicLink(m.source()) && !insideBind) {
                // Merged-/usr systems have /bin -> usr/bin: keep the link as a
                // link so paths resolve as on the host.
                sys.mkdirs(target.getParent());
                sys.symlink(target, Files.readSymbolicLink(m.source()).toString());
                continue;
            }
            boolean dir = Files.isDirectory(m.source());
            if (insideBind) {
                // Creating the mount point would write into the host directory
                // bound above it; it must already exist there.
                if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException("mount point " + m.target() + " does not exist inside the mount above it;"
                            + " create it on the host first");
                }
            } else if (dir) {
                sys.mkdirs(target);
            } else {
                sys.mkdirs(target.getParent());
                sys.touch(target);
            }
            sys.mount(m.source().toString(), target, null, MS_BIND | MS_REC, null);
            // A bind mount takes its flags from a remount; nosuid and nodev
            // always, read-only unless writable.
            sys.mount(null, target, null, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | (m.writable() ? 0 : MS_RDONLY), null);
            done.add(m.target());
        }
    }

    private void mountTmp() throws IOException {
        Path tmp = staged(SandboxSpec.Reserved.TMP);
        sys.mkdirs(tmp);
        sys.mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=" + spec.tmpSizeBytes());
    }

    private void mountDev() throws IOException {
        Path dev = staged(SandboxSpec.Reserved.DEV);
        sys.mkdirs(dev);
        sys.mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k");
        for (String d : DEVICES) {
            Path node = dev.resolve(d);
            sys.touch(node);
            sys.mount("/dev/" + d, node, null, MS_BIND, null);
        }
        for (Map.Entry<String, String> l : Map.of("fd", "/proc/self/fd", "stdin", "/proc/self/fd/0",
                "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2").entrySet()) {
            sys.symlink(dev.resolve(l.getKey()), l.getValue());
        }
        Path shm = dev.resolve("shm");
        sys.mkdirs(shm);
        sys.mount("tmpfs", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=16m");
    }

    private void ensureWorkdir() throws IOException {
        Path w = staged(spec.workdir());
        if (!Files.isDirectory(w)) {
            boolean insideBind = spec.mounts().stream().anyMatch(m -> spec.workdir().startsWith(m.target()));
            if (insideBind) {
                throw new IOException("workdir " + spec.workdir() + " does not exist in the sandbox view");
            }
            sys.mkdirs(w);
        }
    }

    private LandlockPlan landlockPlan() {
        List<PathAccess> rules = new ArrayList<>();
        for (String d : DEVICES) {
            rules.add(new PathAccess(Path.of("/dev", d), PathAccess.Kind.DEVICE));
        }
        rules.add(new PathAccess(Path.of("/dev/shm"), PathAccess.Kind.WRITE));
        rules.add(new PathAccess(SandboxSpec.Reserved.TMP, PathAccess.Kind.WRITE));
        rules.add(new PathAccess(SandboxSpec.Reserved.PROC, PathAccess.Kind.READ));
        // What a restore needs, given to every agent so a restored one is never
        // less confined than a spawned one: CRIU opens the root directory and
        // reopens the log for writing. The root is a read-only tmpfs of mount
        // points; the log is the agent's own stdout, which it cannot read.
        rules.add(new PathAccess(Path.of("/"), PathAccess.Kind.LIST));
        rules.add(new PathAccess(SandboxSpec.Reserved.LOG, PathAccess.Kind.WRITE_EXISTING));
        if (gated) {
            rules.add(new PathAccess(SpawnGate.path(INIT), PathAccess.Kind.READ));
            rules.add(new PathAccess(SpawnGate.path(AGENT), PathAccess.Kind.READ));
        }
        rules.addAll(spec.access());
        List<PathAccess> hostRules = new ArrayList<>();
        if (restore != null) {
            hostRules.add(new PathAccess(restore.imagesDir(), PathAccess.Kind.WRITE));
            restore.parentImages().forEach(p -> hostRules.add(new PathAccess(p, PathAccess.Kind.READ)));
        }
        return new LandlockPlan(root, rules, hostRules, spec.network() == Network.NONE, spec.landlockMode());
    }

    /**
     * The shell script the init runs first, as root in the new pid namespace: $1 is
     * the staged /proc, $2 the last pid to leave taken. Writing 1 to ns_last_pid
     * gives the next process (the agent) PID 2 again after mount's; as in any pid
     * namespace, the number is the namespace's own (the kernel takes it from the
     * writer's).
     */
    static final String INIT_SCRIPT = "mount -t proc -o nosuid,nodev,noexec,hidepid=invisible proc \"$1\" || exit 121; "
            + "echo \"$2\" > \"$1/sys/kernel/ns_last_pid\" || exit 122; "
            + "echo ok >&4; exec 4>&-; shift 2; exec \"$@\"";

    /**
     * The first child of the new pid namespace is its PID 1, a reaping init that
     * holds the namespaces, so orphans are reaped and the agent is not PID 1.
     * It starts before the pivot, so its paths are the host's; the pivot moves
     * its root and cwd along with this thread's.
     */
    private Spawn initSpawn(int readyFd) {
        Path devNull = Path.of("/dev/null");
        List<String> argv = new ArrayList<>(List.of(SH, "-c", INIT_SCRIPT, "agentd-init",
                staged(SandboxSpec.Reserved.PROC).toString(),
                String.valueOf(restore == null ? SPAWN_LAST_PID : RESTORE_LAST_PID),
                SETPRIV, "--reuid=" + spec.uid(), "--regid=" + spec.gid(), "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        argv.addAll(spec.init());
        Spawn s = Spawn.of(Path.of(SH)).args(argv)
                .env(Map.of("PATH", DEFAULT_PATH))
                .dup2(readyFd, READY_FD)
                .open(0, devNull, FileSyscall.O_RDONLY, 0)
                .open(1, devNull, FileSyscall.O_WRONLY, 0)
                .open(2, devNull, FileSyscall.O_WRONLY, 0);
        return (gated ? s.open(SpawnGate.FD, staged(SpawnGate.path(INIT)), FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0) : s)
                .closeFrom(READY_FD + 1)
                .chdir(Path.of("/"))
                .newSession();
    }

    private Spawn agentSpawn(Fd log) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.putAll(spec.env());
        Spawn s = Spawn.of(Path.of(spec.command().get(0))).args(spec.command()).env(env);
        // stderr first: the descriptors given for stdin/stdout may be 0, 1 or 2.
        s.dup2(log.number(), 2);
        if (spec.stdin().isPresent()) {
            s.dup2(spec.stdin().get().number(), 0);
        } else {
            s.open(0, Path.of("/dev/null"), FileSyscall.O_RDONLY, 0);
        }
        s.dup2(spec.stdout().orElse(log).number(), 1);
        // The gate comes after stdio: fd 3 may be the log itself, already copied.
        return gate(AGENT, s)
                .closeFrom(3)
                .chdir(spec.workdir())
                .newSession();
    }

    private Spawn gate(int child, Spawn s) {
        return gated ? s.open(SpawnGate.FD, SpawnGate.path(child), FileSyscall.O_RDONLY | FileSyscall.O_CLOEXEC, 0) : s;
    }

    interface Step {
        void run() throws IOException;
    }

    interface Call<T> {
        T run() throws IOException;
    }

    private static void step(String name, Step s) throws SpawnException {
        try {
            s.run();
        } catch (SpawnException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SpawnException(name, String.valueOf(e.getMessage()), e);
        }
    }

    private static <T> T call(String name, Call<T> c) throws SpawnException {
        try {
            return c.run();
        } catch (SpawnException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SpawnException(name, String.valueOf(e.getMessage()), e);
        }
    }
}
