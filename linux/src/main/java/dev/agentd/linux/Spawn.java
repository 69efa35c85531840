package dev.agentd.linux;

import java.lang.ref.Reference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * {@code posix_spawn(3)} of one program. glibc implements it with
 * {@code clone(CLONE_VM | CLONE_VFORK)} and a native child routine, so no
 * Java code runs in the child, and the child inherits the <em>calling
 * thread's</em> namespaces-for-children, credentials, no_new_privs, Landlock
 * domain and seccomp filter. That per-thread inheritance is how a JVM can
 * start a sandboxed process (kernel-facts.md, "Why a JVM cannot simply fork").
 *
 * <p>Build with {@link #of(Path)}; file actions run in the child, in the order
 * added, before {@code execve}.
 */
public final class Spawn {
    // <spawn.h>: glibc's POSIX_SPAWN_* flags.
    private static final short POSIX_SPAWN_SETSIGDEF = 0x04;
    private static final short POSIX_SPAWN_SETSIGMASK = 0x08;
    private static final short POSIX_SPAWN_SETSID = 0x80;
    // sizeof(posix_spawn_file_actions_t) is 80 and sizeof(posix_spawnattr_t)
    // 336 on glibc x86_64/aarch64; allocate generously so a future layout fits.
    private static final int OPAQUE_SIZE = 1024;
    private static final int SIGSET_SIZE = 128;

    private sealed interface Action permits Open, Dup2, Close, Chdir, CloseFrom {}

    private record Open(int fd, String path, int flags, int mode) implements Action {}

    private record Dup2(int from, int to) implements Action {}

    private record Close(int fd) implements Action {}

    private record Chdir(String path) implements Action {}

    private record CloseFrom(int lowFd) implements Action {}

    private final Path program;
    private final List<String> argv = new ArrayList<>();
    private final List<String> env = new ArrayList<>();
    private final List<Action> actions = new ArrayList<>();
    private boolean setsid;

    private Spawn(Path program) {
        this.program = program;
    }

    /** Spawns {@code program} (an absolute path; no PATH search). */
    public static Spawn of(Path program) {
        if (!program.isAbsolute()) {
            throw new IllegalArgumentException("program must be an absolute path: " + program);
        }
        return new Spawn(program);
    }

    /** The whole argv, argv[0] included. */
    public Spawn args(List<String> args) {
        argv.clear();
        argv.addAll(args);
        return this;
    }

    public Spawn args(String... args) {
        return args(List.of(args));
    }

    /** The whole environment; nothing of this JVM's environment is passed unless given here. */
    public Spawn env(Map<String, String> vars) {
        env.clear();
        vars.forEach((k, v) -> env.add(k + "=" + v));
        return this;
    }

    /** In the child: {@code open(path, flags, mode)} onto descriptor {@code fd}. */
    public Spawn open(int fd, Path path, int flags, int mode) {
        actions.add(new Open(fd, path.toString(), flags, mode));
        return this;
    }

    /** In the child: {@code dup2(from, to)}. */
    public Spawn dup2(int from, int to) {
        actions.add(new Dup2(from, to));
        return this;
    }

    /** In the child: {@code close(fd)}. */
    public Spawn close(int fd) {
        actions.add(new Close(fd));
        return this;
    }

    /** In the child: {@code chdir(path)} (glibc 2.29). */
    public Spawn chdir(Path path) {
        actions.add(new Chdir(path.toString()));
        return this;
    }

    /**
     * In the child: close every descriptor from {@code lowFd} up (glibc 2.34).
     * The JDK opens many files without {@code O_CLOEXEC}; without this a
     * sandboxed child would inherit the supervisor's jars, sockets and logs.
     */
    public Spawn closeFrom(int lowFd) {
        actions.add(new CloseFrom(lowFd));
        return this;
    }

    /** Make the child a session leader ({@code setsid}). */
    public Spawn newSession() {
        this.setsid = true;
        return this;
    }

    /**
     * Spawns the child from the calling thread and returns its pid (as seen
     * from this process). Signal dispositions are reset to default and the
     * mask cleared, since the JVM's threads block and handle signals of
     * their own.
     */
    public int start() throws SyscallException {
        Native.LibC c = Native.libc();
        Pointer fa = Native.allocate(OPAQUE_SIZE);
        Pointer attr = Native.allocate(OPAQUE_SIZE);
        checkSpawn(c.posix_spawn_file_actions_init(fa), "posix_spawn_file_actions_init", "");
        try {
            checkSpawn(c.posix_spawnattr_init(attr), "posix_spawnattr_init", "");
            try {
                for (Action a : actions) {
                    addAction(c, fa, a);
                }
                Pointer all = Native.allocate(SIGSET_SIZE);
                Pointer none = Native.allocate(SIGSET_SIZE);
                c.sigfillset(all);
                c.sigemptyset(none);
                checkSpawn(c.posix_spawnattr_setsigdefault(attr, all), "posix_spawnattr_setsigdefault", "");
                checkSpawn(c.posix_spawnattr_setsigmask(attr, none), "posix_spawnattr_setsigmask", "");
                short flags = (short) (POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (setsid ? POSIX_SPAWN_SETSID : 0));
                checkSpawn(c.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags", "");
                List<String> args = argv.isEmpty() ? List.of(program.toString()) : argv;
                IntByReference pid = new IntByReference();
                // The strings behind a char *[] are referenced only by address:
                // keep them reachable until posix_spawn has copied them.
                List<Pointer> keep = new ArrayList<>();
                int r = c.posix_spawn(pid, program.toString(), fa, attr, stringArray(args, keep), stringArray(env, keep));
                Reference.reachabilityFence(keep);
                checkSpawn(r, "posix_spawn", "path=" + program);
                return pid.getValue();
            } finally {
                c.posix_spawnattr_destroy(attr);
            }
        } finally {
            c.posix_spawn_file_actions_destroy(fa);
        }
    }

    private static void addAction(Native.LibC c, Pointer fa, Action a) throws SyscallException {
        if (a instanceof Open o) {
            checkSpawn(c.posix_spawn_file_actions_addopen(fa, o.fd(), o.path(), o.flags(), o.mode()),
                    "posix_spawn_file_actions_addopen", "path=" + o.path());
        } else if (a instanceof Dup2 d) {
            checkSpawn(c.posix_spawn_file_actions_adddup2(fa, d.from(), d.to()),
                    "posix_spawn_file_actions_adddup2", "fd=" + d.from());
        } else if (a instanceof Close cl) {
            checkSpawn(c.posix_spawn_file_actions_addclose(fa, cl.fd()), "posix_spawn_file_actions_addclose", "fd=" + cl.fd());
        } else if (a instanceof CloseFrom cf) {
            checkSpawn(c.posix_spawn_file_actions_addclosefrom_np(fa, cf.lowFd()),
                    "posix_spawn_file_actions_addclosefrom_np", "fd=" + cf.lowFd());
        } else if (a instanceof Chdir ch) {
            checkSpawn(c.posix_spawn_file_actions_addchdir_np(fa, ch.path()),
                    "posix_spawn_file_actions_addchdir_np", "path=" + ch.path());
        }
    }

    /** The posix_spawn family returns the error number rather than setting errno. */
    private static void checkSpawn(int r, String call, String context) throws SyscallException {
        if (r != 0) {
            throw new SyscallException(call, r, context);
        }
    }

    /** A NULL-terminated {@code char *[]}; its strings are added to {@code keep}. */
    private static Pointer stringArray(List<String> strings, List<Pointer> keep) {
        Pointer array = Native.allocate((strings.size() + 1) * 8);
        keep.add(array);
        for (int i = 0; i < strings.size(); i++) {
            byte[] b = strings.get(i).getBytes(StandardCharsets.UTF_8);
            Pointer s = Native.allocate(b.length + 1);
            s.put(0, b, 0, b.length);
            s.putByte(b.length, (byte) 0);
            keep.add(s);
            array.putAddress(i * 8L, s.address());
        }
        array.putAddress(strings.size() * 8L, 0);
        return array;
    }
}
