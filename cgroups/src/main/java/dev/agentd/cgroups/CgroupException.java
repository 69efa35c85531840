package dev.agentd.cgroups;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cgroup operation failed. The message always names what was touched, e.g.
 * {@code write /sys/fs/cgroup/pids/agentd/x/pids.max: Invalid argument (value "-5")},
 * and {@link #path()} / {@link #value()} carry the same facts for code.
 *
 * <p>Subtypes separate "the kernel lacks this" ({@link UnsupportedLimitException})
 * from plain I/O failures. "The caller asked for nonsense" is never a
 * {@code CgroupException}: invalid limits and names are rejected with
 * {@link IllegalArgumentException} before anything touches the kernel.
 */
public class CgroupException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String value;

    public CgroupException(String message) {
        this(message, null, null, null);
    }

    public CgroupException(String message, Throwable cause) {
        this(message, null, null, cause);
    }

    public CgroupException(String message, Path path, String value, Throwable cause) {
        super(message, cause);
        this.path = path;
        this.value = value;
    }

    /**
     * Wraps a failed file operation: {@code <operation> <path>: <reason>[ (value "<value>")]}.
     *
     * @param operation {@code read}, {@code write}, {@code mkdir}, {@code rmdir}
     * @param value what was written, or {@code null}
     */
    public static CgroupException io(String operation, Path path, String value, IOException cause) {
        String msg = operation + " " + path + ": " + reason(cause)
                + (value == null ? "" : " (value \"" + value.strip() + "\")");
        return new CgroupException(msg, path, value, cause);
    }

    /** The file or directory involved, when there is one. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** The value that was being written, when there is one. */
    public Optional<String> value() {
        return Optional.ofNullable(value);
    }

    /**
     * The errno text of an NIO exception. NIO puts the path in the message of
     * its typed exceptions and the errno text in {@code getReason()}; we want
     * just the errno text, since our message names the path itself.
     */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException) {
            String r = ((FileSystemException) e).getReason();
            if (r != null) {
                return r;
            }
            if (e instanceof NoSuchFileException) {
                return "No such file or directory";
            }
            if (e instanceof FileAlreadyExistsException) {
                return "File exists";
            }
            if (e instanceof AccessDeniedException) {
                return "Permission denied";
            }
            if (e instanceof DirectoryNotEmptyException) {
                return "Directory not empty";
            }
            if (e instanceof NotDirectoryException) {
                return "Not a directory";
            }
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
