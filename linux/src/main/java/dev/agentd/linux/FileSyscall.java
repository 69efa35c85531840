package dev.agentd.linux;

import java.io.IOException;
import java.nio.file.Path;

/** open(2) and friends, returning {@link Fd}s. */
public final class FileSyscall {
    private FileSyscall() {}

    // Open flags: include/uapi/asm-generic/fcntl.h (x86_64 and aarch64 share
    // these, except O_DIRECTORY/O_NOFOLLOW which differ on arm32 only).
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_CREAT = 0100;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = 0200000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_PATH = 010000000;

    /**
     * Opens {@code path} with {@code flags}, throwing the {@link SyscallException}
     * itself (for callers that act on the errno, e.g. ENXIO from a FIFO's
     * writer end opened with {@code O_NONBLOCK} before its reader).
     */
    public static Fd openRaw(Path path, int flags, int mode) throws SyscallException {
        int fd = Native.libc().open(path.toString(), flags, mode);
        if (fd < 0) {
            throw new SyscallException("open", Native.errno(), "path=" + path);
        }
        return new Fd(fd, path.toString());
    }

    /**
     * Opens {@code path} with {@code flags}. A missing file is a
     * {@link java.nio.file.NoSuchFileException}, a refused one an
     * {@link java.nio.file.AccessDeniedException}; both keep the
     * {@link SyscallException} as their cause.
     */
    public static Fd open(Path path, int flags, int mode) throws IOException {
        int fd = Native.libc().open(path.toString(), flags, mode);
        if (fd < 0) {
            throw new SyscallException("open", Native.errno(), "path=" + path).toJdk();
        }
        return new Fd(fd, path.toString());
    }

    /** Creates a named pipe ({@code mkfifo(3)}). */
    public static void mkfifo(Path path, int mode) throws IOException {
        if (Native.libc().mkfifo(path.toString(), mode) < 0) {
            throw new SyscallException("mkfifo", Native.errno(), "path=" + path).toJdk();
        }
    }

    /** {@code open(path, O_PATH | O_CLOEXEC)}: a handle to name a file, as Landlock rules need. */
    public static Fd openPath(Path path) throws IOException {
        return open(path, O_PATH | O_CLOEXEC, 0);
    }
}
