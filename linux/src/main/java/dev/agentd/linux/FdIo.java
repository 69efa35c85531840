package dev.agentd.linux;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;

/**
 * Reading, writing, stat and listing through an {@link Fd}, for files opened
 * with {@link Openat2}: jnr-ffi cannot wrap a descriptor in a
 * {@code FileChannel}, and going back to a path would undo what openat2
 * checked. Every call works on the descriptor itself.
 *
 * <p>Struct layouts: {@code struct statx} and the {@code S_IF*} bits from uapi
 * {@code linux/stat.h}; {@code struct linux_dirent64} from
 * {@code include/linux/dirent.h}; {@code DT_*} from
 * {@code include/linux/fs_types.h}; {@code AT_*} from uapi
 * {@code linux/fcntl.h}.
 */
public final class FdIo {
    private FdIo() {}

    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    /** STATX_TYPE | MODE | NLINK | UID | GID | ATIME | MTIME | CTIME | INO | SIZE | BLOCKS. */
    static final int STATX_BASIC_STATS = 0x7ff;
    /** {@code sizeof(struct statx)}: the kernel fills at most this much. */
    static final int STATX_SIZE = 256;
    // Offsets in struct statx.
    private static final int STX_NLINK = 16;
    private static final int STX_UID = 20;
    private static final int STX_GID = 24;
    private static final int STX_MODE = 28;
    private static final int STX_INO = 32;
    private static final int STX_SIZE = 40;
    private static final int STX_MTIME = 112; // struct statx_timestamp { s64 tv_sec; u32 tv_nsec; s32 pad; }
    private static final int STX_DEV_MAJOR = 136;
    private static final int STX_DEV_MINOR = 140;

    /** Largest single read(2)/write(2) this class issues; bounds the native buffer. */
    private static final int CHUNK = 64 * 1024;
    /** getdents64 buffer: many entries per call, small enough to allocate per listing. */
    private static final int DIRENT_BUFFER = 32 * 1024;

    /** What kind of file an inode is, from {@code S_IFMT} of its mode. */
    public enum FileType {
        REGULAR, DIRECTORY, SYMLINK, FIFO, SOCKET, CHAR_DEVICE, BLOCK_DEVICE, UNKNOWN;

        static FileType ofMode(int mode) {
            switch (mode & 0170000) {
                case 0100000: return REGULAR;
                case 0040000: return DIRECTORY;
                case 0120000: return SYMLINK;
                case 0010000: return FIFO;
                case 0140000: return SOCKET;
                case 0020000: return CHAR_DEVICE;
                case 0060000: return BLOCK_DEVICE;
                default: return UNKNOWN;
            }
        }

        static FileType ofDirentType(int dtype) {
            switch (dtype) {
                case 8: return REGULAR;       // DT_REG
                case 4: return DIRECTORY;     // DT_DIR
                case 10: return SYMLINK;      // DT_LNK
                case 1: return FIFO;          // DT_FIFO
                case 12: return SOCKET;       // DT_SOCK
                case 2: return CHAR_DEVICE;   // DT_CHR
                case 6: return BLOCK_DEVICE;  // DT_BLK
                default: return UNKNOWN;      // DT_UNKNOWN (0): some filesystems do not fill d_type
            }
        }
    }

    /**
     * The parts of {@code struct statx} agentd uses. {@code mode} holds the
     * permission bits only (07777); the file type is {@link #type()}.
     */
    public record Stat(FileType type, int mode, long size, int nlink, int uid, int gid, long inode,
                       long device, Instant mtime) {}

    /** One directory entry (never {@code .} or {@code ..}). */
    public record DirEntry(String name, FileType type, long inode) {}

    /** {@code statx(fd, "", AT_EMPTY_PATH)}: the open file itself. */
    public static Stat stat(Fd fd) throws SyscallException {
        return statx(fd.number(), "", AT_EMPTY_PATH, "fd=" + fd);
    }

    /**
     * {@code statx(dir, name, AT_SYMLINK_NOFOLLOW)} for one entry of an open
     * directory: a symlink is reported as a symlink, never followed. {@code name}
     * must be a single component (no {@code /}, not {@code ..}), so the lookup
     * cannot leave {@code dir}.
     */
    public static Stat statEntry(Fd dir, String name) throws SyscallException {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals("..") || name.equals(".")) {
            throw new IllegalArgumentException("expected one directory entry name, got \"" + name + "\"");
        }
        return statx(dir.number(), name, AT_SYMLINK_NOFOLLOW, "path=" + name + ", dirfd=" + dir);
    }

    private static Stat statx(int dirfd, String name, int atFlags, String context) throws SyscallException {
        Pointer buf = Native.allocate(STATX_SIZE);
        Pointer cname = Native.cString(name);
        retryEintr(() -> Native.syscall("statx", context, dirfd, cname.address(), atFlags, STATX_BASIC_STATS,
                buf.address()));
        int rawMode = buf.getShort(STX_MODE) & 0xffff;
        long dev = ((long) buf.getInt(STX_DEV_MAJOR) << 32) | (buf.getInt(STX_DEV_MINOR) & 0xffffffffL);
        Instant mtime = Instant.ofEpochSecond(buf.getLong(STX_MTIME), buf.getInt(STX_MTIME + 8) & 0xffffffffL);
        return new Stat(FileType.ofMode(rawMode), rawMode & 07777, buf.getLong(STX_SIZE), buf.getInt(STX_NLINK),
                buf.getInt(STX_UID), buf.getInt(STX_GID), buf.getLong(STX_INO), dev, mtime);
    }

    /**
     * Reads up to {@code max} bytes starting at {@code offset} with
     * {@code pread64}, stopping early only at end of file. The file position is
     * left alone.
     */
    public static byte[] pread(Fd fd, long offset, int max) throws SyscallException {
        if (offset < 0 || max < 0) {
            throw new IllegalArgumentException("offset and max must be >= 0, got " + offset + ", " + max);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, CHUNK));
        Pointer buf = Native.allocate(Math.max(1, Math.min(max, CHUNK)));
        byte[] chunk = new byte[Math.min(max, CHUNK)];
        long pos = offset;
        while (out.size() < max) {
            int want = Math.min(max - out.size(), CHUNK);
            final long at = pos;
            long n = retryEintr(() -> Native.syscall("pread64", "fd=" + fd + ", offset=" + at,
                    fd.number(), buf.address(), want, at));
            if (n == 0) {
                break;
            }
            buf.get(0, chunk, 0, (int) n);
            out.write(chunk, 0, (int) n);
            pos += n;
        }
        return out.toByteArray();
    }

    /** Writes all of {@code data} at the file's current position (the end, for {@code O_APPEND}). */
    public static void writeAll(Fd fd, byte[] data) throws SyscallException {
        Pointer buf = Native.allocate(Math.max(1, Math.min(data.length, CHUNK)));
        int done = 0;
        while (done < data.length) {
            int len = Math.min(data.length - done, CHUNK);
            buf.put(0, data, done, len);
            int written = 0;
            while (written < len) {
                final int from = written;
                long n = retryEintr(() -> Native.syscall("write", "fd=" + fd,
                        fd.number(), buf.address() + from, len - from));
                written += (int) n;
            }
            done += len;
        }
    }

    /** {@code ftruncate(fd, length)}. */
    public static void truncate(Fd fd, long length) throws SyscallException {
        retryEintr(() -> Native.syscall("ftruncate", "fd=" + fd + ", length=" + length, fd.number(), length));
    }

    /** {@code fchown(fd, uid, gid)}; -1 leaves that id unchanged. */
    public static void chown(Fd fd, int uid, int gid) throws SyscallException {
        Native.syscall("fchown", "fd=" + fd + ", uid=" + uid + ", gid=" + gid, fd.number(), uid, gid);
    }

    /** {@code fsync(fd)}. */
    public static void fsync(Fd fd) throws SyscallException {
        retryEintr(() -> Native.syscall("fsync", "fd=" + fd, fd.number()));
    }

    /**
     * The entries of an open directory ({@code getdents64}), without {@code .}
     * and {@code ..}, in the order the filesystem returns them, at most
     * {@code max} of them (a directory an agent filled with a million files must
     * not fill agentd's heap). Reads from the descriptor's current position:
     * list a freshly opened directory.
     */
    public static List<DirEntry> list(Fd dir, int max) throws SyscallException {
        List<DirEntry> entries = new ArrayList<>();
        Pointer buf = Native.allocate(DIRENT_BUFFER);
        while (entries.size() < max) {
            long n = retryEintr(() -> Native.syscall("getdents64", "fd=" + dir, dir.number(), buf.address(),
                    DIRENT_BUFFER));
            if (n == 0) {
                break;
            }
            // struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }
            for (int off = 0; off < n && entries.size() < max; ) {
                long ino = buf.getLong(off);
                int reclen = buf.getShort(off + 16) & 0xffff;
                int dtype = buf.getByte(off + 18) & 0xff;
                String name = cStringAt(buf, off + 19, reclen - 19);
                if (!name.equals(".") && !name.equals("..")) {
                    entries.add(new DirEntry(name, FileType.ofDirentType(dtype), ino));
                }
                off += reclen;
            }
        }
        return entries;
    }

    private static String cStringAt(Pointer buf, int off, int maxLen) {
        byte[] b = new byte[maxLen];
        buf.get(off, b, 0, maxLen);
        int len = 0;
        while (len < maxLen && b[len] != 0) {
            len++;
        }
        // Linux names are bytes; a name that is not UTF-8 is shown with U+FFFD and
        // would not round-trip, which is acceptable for a listing.
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    @FunctionalInterface
    private interface Call {
        long run() throws SyscallException;
    }

    /** A signal handled by another JVM thread can interrupt a slow call; EINTR means "try again". */
    private static long retryEintr(Call call) throws SyscallException {
        while (true) {
            try {
                return call.run();
            } catch (SyscallException e) {
                if (!e.is(Errno.EINTR)) {
                    throw e;
                }
            }
        }
    }
}
