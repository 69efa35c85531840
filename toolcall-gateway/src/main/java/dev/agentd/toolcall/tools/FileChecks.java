package dev.agentd.toolcall.tools;

import dev.agentd.linux.Fd;
import dev.agentd.linux.FdIo;
import dev.agentd.linux.SyscallException;
import dev.agentd.toolcall.ToolException;
import dev.agentd.toolcall.ToolRefusedException;
import java.util.Locale;

/** Checks on an opened file that every file tool applies the same way. */
final class FileChecks {
    private FileChecks() {}

    /**
     * The file must be a regular file with exactly one name. Why the link
     * count: a hard link is the same inode under a second name, and that other
     * name may be anywhere on the file system — outside every grant. An agent
     * that can create files in its workspace could link {@code /etc/shadow}
     * there (when {@code fs.protected_hardlinks} is 0, or a file it may link but
     * Landlock hides from it) and have agentd, which is root, read or overwrite
     * it. openat2 cannot see this (the lookup really does stay beneath the root),
     * and we cannot find the other names, so reads and writes of multiply-linked
     * files are refused. {@code file_stat} and {@code file_list} still show them
     * (with {@code nlink}), so the agent can see why.
     */
    static FdIo.Stat regularSingleLink(Fd fd, String path, String op) throws ToolException {
        FdIo.Stat st = stat(fd, path);
        if (st.type() != FdIo.FileType.REGULAR) {
            throw new ToolException(op + " " + path + ": not a regular file (it is a " + typeName(st.type())
                    + ")" + (st.type() == FdIo.FileType.DIRECTORY ? "; use file_list" : ""));
        }
        if (st.nlink() > 1) {
            throw new ToolRefusedException(op + " " + path + ": refused: the file has " + st.nlink()
                    + " hard links, and another name may lie outside your grants (copy it to a new file instead)");
        }
        return st;
    }

    static FdIo.Stat stat(Fd fd, String path) throws ToolException {
        try {
            return FdIo.stat(fd);
        } catch (SyscallException e) {
            throw GrantedPath.failure("stat", path, e);
        }
    }

    /** The spelling used in results: {@code file}, {@code directory}, {@code symlink}, ... */
    static String typeName(FdIo.FileType t) {
        return switch (t) {
            case REGULAR -> "file";
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            case FIFO -> "fifo";
            case SOCKET -> "socket";
            case CHAR_DEVICE -> "char_device";
            case BLOCK_DEVICE -> "block_device";
            case UNKNOWN -> "unknown";
        };
    }

    /** JSON Schema enum of {@link #typeName} values. */
    static final String TYPE_ENUM = "[\"file\", \"directory\", \"symlink\", \"fifo\", \"socket\", \"char_device\", \"block_device\", \"unknown\"]";

    static String octalMode(int mode) {
        return String.format(Locale.ROOT, "%04o", mode);
    }
}
