package dev.agentd.linux;

import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * {@code openat2(2)} (Linux 5.6): opening a path relative to a directory
 * descriptor with the kernel, not the caller, enforcing how it resolves.
 *
 * <p>Why this and not {@code open} plus checks in Java: any check on a path
 * string ("is it under /work after normalising?", "is any component a
 * symlink?") races with the agent, who can rename a directory or swap a
 * component for a symlink between the check and the open. With
 * {@link #RESOLVE_BENEATH} and {@link #RESOLVE_NO_SYMLINKS} the kernel refuses
 * to leave {@code dirfd}'s tree and to follow any symlink during the one
 * lookup that also opens the file, so there is no window.
 *
 * <p>Constants and {@code struct open_how}: Linux uapi {@code linux/openat2.h}.
 * Failures are {@link SyscallException}s carrying the errno: {@code EXDEV} when
 * resolution would escape {@code dirfd} ({@code ..}, an absolute path, an
 * absolute symlink), {@code ELOOP} when a symlink was met under
 * {@code RESOLVE_NO_SYMLINKS} or a magic link under
 * {@code RESOLVE_NO_MAGICLINKS}, {@code ENOSYS} on a kernel older than 5.6.
 */
public final class Openat2 {
    private Openat2() {}

    /** Do not cross a mount point (bind mounts included). */
    public static final long RESOLVE_NO_XDEV = 0x01;
    /** Do not follow "magic links" ({@code /proc/PID/fd/N}, {@code /proc/PID/root}, ...). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    /** Do not follow any symlink, in any component, the last one included (implies NO_MAGICLINKS). */
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    /** Every component must resolve beneath {@code dirfd}: {@code ..} above it, absolute paths and absolute symlinks fail with EXDEV. */
    public static final long RESOLVE_BENEATH = 0x08;
    /** Treat {@code dirfd} as the root ({@code chroot}-like scoping); absolute paths are relative to it. */
    public static final long RESOLVE_IN_ROOT = 0x10;

    /**
     * Open flags {@link FileSyscall} does not define, from uapi
     * {@code asm-generic/fcntl.h} (same values on x86_64 and aarch64): fail if
     * the file exists; never make a terminal the controlling terminal.
     */
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;

    /** {@code sizeof(struct open_how)}: u64 flags, u64 mode, u64 resolve (OPEN_HOW_SIZE_VER0). */
    static final int OPEN_HOW_SIZE = 24;

    /** {@code AT_FDCWD} from uapi {@code linux/fcntl.h}. */
    static final int AT_FDCWD = -100;

    /**
     * The kernel may fail a {@code RESOLVE_BENEATH} lookup with EAGAIN when a
     * concurrent rename or mount meant it could not prove that a {@code ..}
     * stayed beneath (openat2(2): "the caller may choose to retry"). A few
     * retries absorb a benign race; an agent looping renames to starve us only
     * gets its own call refused.
     */
    private static final int EAGAIN_RETRIES = 8;

    private static volatile Boolean available;
    private static volatile String unavailabilityCause;

    /**
     * {@code openat2(dirfd, relativePath, {flags, mode, resolve})}. {@code flags}
     * are {@code open(2)} flags ({@link FileSyscall#O_RDONLY} &amp; co.);
     * {@code O_CLOEXEC} is always added: a descriptor that agentd (root) opened
     * for an agent must never leak into a process it spawns. {@code mode} is
     * used only with {@code O_CREAT} (openat2 rejects a mode without it, so it is
     * passed as 0 otherwise).
     */
    public static Fd openat2(Fd dirfd, String relativePath, int flags, int mode, long resolve) throws SyscallException {
        return openat2(dirfd.number(), dirfd.toString(), relativePath, flags, mode, resolve);
    }

    private static Fd openat2(int dirfd, String dirWhat, String path, int flags, int mode, long resolve)
            throws SyscallException {
        if (path.indexOf('\0') >= 0) {
            // A C string would end at the NUL and open a different, shorter path.
            throw new IllegalArgumentException("path contains a NUL byte: " + path.replace("\0", "\\0"));
        }
        int allFlags = flags | FileSyscall.O_CLOEXEC;
        boolean creates = (flags & FileSyscall.O_CREAT) != 0;
        Pointer how = Native.allocate(OPEN_HOW_SIZE);
        how.putLong(0, allFlags & 0xffffffffL);
        how.putLong(8, creates ? mode : 0);
        how.putLong(16, resolve);
        Pointer name = Native.cString(path);
        String context = String.format("path=%s, dirfd=%s, flags=0%o, resolve=0x%x", path, dirWhat, allFlags, resolve);
        for (int attempt = 0; ; attempt++) {
            try {
                long fd = Native.syscall("openat2", context, dirfd, name.address(), how.address(), OPEN_HOW_SIZE);
                return new Fd((int) fd, path);
            } catch (SyscallException e) {
                if (!(e.is(Errno.EAGAIN) && attempt < EAGAIN_RETRIES) && !e.is(Errno.EINTR)) {
                    throw e;
                }
            }
        }
    }

    /**
     * {@code open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)}. Follows symlinks
     * like {@code open(2)}; see {@link #openDirectoryNoSymlinks(Path)} for a
     * directory whose path an untrusted user may be able to change.
     */
    public static Fd openDirectory(Path dir) throws SyscallException {
        return FileSyscall.openRaw(dir, FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY | FileSyscall.O_CLOEXEC, 0);
    }

    /**
     * Opens the absolute directory {@code dir} with {@code RESOLVE_NO_SYMLINKS |
     * RESOLVE_NO_MAGICLINKS}: no component may be a symlink. For a directory
     * that anchors later {@code RESOLVE_BENEATH} lookups but whose parent an
     * agent may write to: it could otherwise swap the directory for a symlink
     * to {@code /etc} and have everything "beneath" it be beneath {@code /etc}.
     * ELOOP names the symlink problem; the caller should name the real path.
     */
    public static Fd openDirectoryNoSymlinks(Path dir) throws SyscallException {
        if (!dir.isAbsolute()) {
            throw new IllegalArgumentException("directory must be absolute, got " + dir);
        }
        if (!dir.normalize().equals(dir)) {
            throw new IllegalArgumentException("directory must be normalised (no . or .. components), got " + dir);
        }
        return openat2(AT_FDCWD, "AT_FDCWD", dir.toString(), FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY,
                0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    }

    /**
     * True when this kernel has {@code openat2} with the resolve flags used
     * here. Probed once, end to end (opens {@code /} beneath itself).
     */
    public static boolean isAvailable() {
        probe();
        return available;
    }

    /** Why {@link #isAvailable()} is false ({@code null} when it is true). */
    public static String unavailabilityCause() {
        probe();
        return unavailabilityCause;
    }

    private static synchronized void probe() {
        if (available != null) {
            return;
        }
        try (Fd root = openDirectory(Path.of("/"));
             Fd self = openat2(root, ".", FileSyscall.O_RDONLY | FileSyscall.O_DIRECTORY, 0,
                     RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)) {
            unavailabilityCause = null;
            available = true;
        } catch (SyscallException e) {
            unavailabilityCause = e.is(Errno.ENOSYS)
                    ? "openat2 needs Linux 5.6 or later (" + e.getMessage() + ")"
                    : e.getMessage();
            available = false;
        } catch (UnsupportedOperationException e) {
            unavailabilityCause = e.getMessage();
            available = false;
        }
    }
}
