package dev.agentd.linux;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * A system call failed. Carries the syscall's name, the errno and what it was
 * called on, so a message reads like
 * {@code landlock_add_rule failed: EACCES (Permission denied) (path=/data)}.
 *
 * <p>Where a JDK exception fits better (a missing file is a
 * {@link NoSuchFileException} to every Java caller) use {@link #toJdk()}: it
 * returns that exception with this one as its cause, so the facts stay.
 */
public class SyscallException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final int errno;
    private final String context;

    public SyscallException(String syscall, int errno, String context) {
        super(format(syscall, errno, context));
        this.syscall = syscall;
        this.errno = errno;
        this.context = context;
    }

    private static String format(String syscall, int errno, String context) {
        Errno e = Errno.of(errno);
        String what = e == null ? "errno " + errno : e.name() + " (" + e.description() + ")";
        return syscall + " failed: " + what + (context == null || context.isEmpty() ? "" : " (" + context + ")");
    }

    /** The name of the failed call, e.g. {@code landlock_add_rule}. */
    public String syscall() {
        return syscall;
    }

    /** The raw errno value. */
    public int errnoNumber() {
        return errno;
    }

    /** The errno as an enum constant, or {@code null} for a number this table does not know. */
    public Errno errno() {
        return Errno.of(errno);
    }

    /** What the call was made on ({@code path=/data}, {@code fd=5}), or an empty string. */
    public String context() {
        return context == null ? "" : context;
    }

    /** True when the errno is {@code e}. */
    public boolean is(Errno e) {
        return errno == e.number();
    }

    /**
     * This failure as the JDK exception a Java caller expects (ENOENT as
     * {@link NoSuchFileException}, EACCES/EPERM as {@link AccessDeniedException},
     * EEXIST as {@link FileAlreadyExistsException}, ENOTDIR as
     * {@link NotDirectoryException}); this exception itself otherwise.
     */
    public IOException toJdk() {
        Errno e = errno();
        String file = file();
        if (e == null || file == null) {
            return this;
        }
        FileSystemException mapped;
        switch (e) {
            case ENOENT: mapped = new NoSuchFileException(file, null, getMessage()); break;
            case EACCES:
            case EPERM: mapped = new AccessDeniedException(file, null, getMessage()); break;
            case EEXIST: mapped = new FileAlreadyExistsException(file, null, getMessage()); break;
            case ENOTDIR: mapped = new NotDirectoryException(file); break;
            default: return this;
        }
        mapped.initCause(this);
        return mapped;
    }

    private String file() {
        String c = context();
        int i = c.indexOf("path=");
        if (i < 0) {
            return null;
        }
        int end = c.indexOf(',', i);
        return c.substring(i + 5, end < 0 ? c.length() : end);
    }
}
