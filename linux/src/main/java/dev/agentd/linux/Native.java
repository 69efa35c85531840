package dev.agentd.linux;

import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;

/**
 * Loads libc once, on first use. Loading jnr-ffi costs a few hundred
 * milliseconds in a fresh JVM (kernel-facts.md), so nothing loads it until a
 * syscall is really needed — the CLI never does.
 */
final class Native {
    private Native() {}

    /**
     * The raw libc surface, reachable only through Native (package-private) — jnr-ffi needs the interface itself public: nothing outside this module sees a
     * raw return value or a {@link Pointer}. Calls whose failure is reported in
     * {@code errno} carry {@link SaveError}; the {@code posix_spawn*} family
     * returns the error number instead.
     */
    public interface LibC {
        /** glibc's {@code syscall(2)}; unused trailing arguments are passed as 0. */
        @SaveError
        long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

        @SaveError
        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        @SaveError
        int open(String path, int flags, int mode);

        @SaveError
        int close(int fd);

        @SaveError
        int mkfifo(String path, int mode);

        @SaveError
        int kill(int pid, int signal);

        @SaveError
        int waitpid(int pid, IntByReference status, int options);

        @SaveError
        int unshare(int flags);

        @SaveError
        int mount(String source, String target, String fstype, long flags, String data);

        @SaveError
        int umount2(String target, int flags);

        @SaveError
        int sethostname(String name, long length);

        @SaveError
        int chdir(String path);

        @SaveError
        int pipe2(int[] fds, int flags);

        @SaveError
        long write(int fd, Pointer buffer, long count);

        @SaveError
        long read(int fd, Pointer buffer, long count);

        int posix_spawn(IntByReference pid, String path, Pointer fileActions, Pointer attr, Pointer argv, Pointer envp);

        int posix_spawn_file_actions_init(Pointer actions);

        int posix_spawn_file_actions_destroy(Pointer actions);

        int posix_spawn_file_actions_addopen(Pointer actions, int fd, String path, int flags, int mode);

        int posix_spawn_file_actions_adddup2(Pointer actions, int fd, int newFd);

        int posix_spawn_file_actions_addclose(Pointer actions, int fd);

        int posix_spawn_file_actions_addchdir_np(Pointer actions, String path);

        int posix_spawn_file_actions_addclosefrom_np(Pointer actions, int lowFd);

        int posix_spawnattr_init(Pointer attr);

        int posix_spawnattr_destroy(Pointer attr);

        int posix_spawnattr_setflags(Pointer attr, short flags);

        int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

        int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

        int sigfillset(Pointer set);

        int sigemptyset(Pointer set);
    }

    private static final class Holder {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
        static final Arch ARCH = Arch.current();
    }

    static LibC libc() {
        return Holder.LIBC;
    }

    static Runtime runtime() {
        return Holder.RUNTIME;
    }

    static int errno() {
        return LastError.getLastError(Holder.RUNTIME);
    }

    /** Zeroed native memory, freed when garbage collected. */
    static Pointer allocate(int bytes) {
        return Memory.allocateDirect(Holder.RUNTIME, bytes, true);
    }

    /** The number of syscall {@code name} on this machine's architecture. */
    static long nr(String name) {
        return Holder.ARCH.syscallNumber(name).orElseThrow(
                () -> new UnsupportedOperationException("no syscall " + name + " on " + Holder.ARCH));
    }

    /** {@code syscall(name, args...)}, throwing on a negative result. */
    static long syscall(String name, String context, long... args) throws SyscallException {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        long r = Holder.LIBC.syscall(nr(name), a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r < 0) {
            throw new SyscallException(name, errno(), context);
        }
        return r;
    }

    /** {@code syscall(name, path1, path2)} for calls taking two strings (pivot_root). */
    static long syscallStrings(String name, String context, String a, String b) throws SyscallException {
        Pointer pa = cString(a);
        Pointer pb = cString(b);
        return syscall(name, context, pa.address(), pb.address());
    }

    static Pointer cString(String s) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Pointer p = allocate(bytes.length + 1);
        p.put(0, bytes, 0, bytes.length);
        p.putByte(bytes.length, (byte) 0);
        return p;
    }

    /** Throws unless a libc call that reports in errno returned non-negative. */
    static int check(int result, String call, String context) throws SyscallException {
        if (result < 0) {
            throw new SyscallException(call, errno(), context);
        }
        return result;
    }

    /**
     * Forces the lazy parts of jnr-ffi (library load, errno plumbing, memory
     * allocation) to initialise now. A thread that will restrict itself calls
     * this first: after {@code unshare(CLONE_NEWPID)} it can no longer start
     * threads, and after Landlock it may not be able to load classes.
     */
    static void warmUp() {
        Pointer p = allocate(16);
        p.putLong(0, 0);
        Holder.LIBC.syscall(nr("getpid"), 0, 0, 0, 0, 0, 0);
        errno();
    }
}
