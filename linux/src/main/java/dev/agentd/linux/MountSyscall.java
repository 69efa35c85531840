package dev.agentd.linux;

import java.nio.file.Path;

/**
 * mount(2), umount2(2), pivot_root(2) and chdir(2), acting in the calling
 * thread's mount namespace.
 *
 * <p>MS_* constants: uapi {@code linux/mount.h}.
 */
public final class MountSyscall {
    private MountSyscall() {}

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_STRICTATIME = 1 << 24;
    /** umount2 flag: detach now, clean up when no longer busy. */
    public static final int MNT_DETACH = 2;

    public static void mount(String source, Path target, String fstype, long flags, String data) throws SyscallException {
        Native.check(Native.libc().mount(source, target.toString(), fstype, flags, data), "mount",
                "path=" + target + ", source=" + source + ", type=" + fstype + ", flags=0x" + Long.toHexString(flags)
                        + (data == null ? "" : ", data=" + data));
    }

    public static void umount2(Path target, int flags) throws SyscallException {
        Native.check(Native.libc().umount2(target.toString(), flags), "umount2", "path=" + target);
    }

    /** pivot_root(2) has no glibc wrapper. */
    public static void pivotRoot(Path newRoot, Path putOld) throws SyscallException {
        Native.syscallStrings("pivot_root", "path=" + newRoot + ", put_old=" + putOld, newRoot.toString(), putOld.toString());
    }

    /** chdir(2) for the calling thread (its fs_struct is private after unsharing the mount namespace). */
    public static void chdir(Path path) throws SyscallException {
        Native.check(Native.libc().chdir(path.toString()), "chdir", "path=" + path);
    }
}
