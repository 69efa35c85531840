package dev.agentd.landlock;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * File system access rights ("Filesystem flags" of uapi {@code linux/landlock.h};
 * bit values in {@link Uapi}). Build sets for a pinned ABI with
 * {@link #fromAll(Abi)}, {@link #fromRead(Abi)} and {@link #fromWrite(Abi)};
 * every method returns a fresh, mutable {@link EnumSet}.
 *
 * <p>{@link #EXECUTE}, {@link #WRITE_FILE}, {@link #READ_FILE},
 * {@link #TRUNCATE} and {@link #IOCTL_DEV} apply to files; the others only to
 * the content of a directory (except {@link #READ_DIR}, which also covers the
 * directory itself).
 */
public enum AccessFs implements Access {
    /** Execute a file. */
    EXECUTE(Uapi.LANDLOCK_ACCESS_FS_EXECUTE, Abi.V1),
    /** Open a file with write access (overwriting with {@code O_TRUNC} also needs {@link #TRUNCATE}). */
    WRITE_FILE(Uapi.LANDLOCK_ACCESS_FS_WRITE_FILE, Abi.V1),
    /** Open a file with read access. */
    READ_FILE(Uapi.LANDLOCK_ACCESS_FS_READ_FILE, Abi.V1),
    /** Open a directory or list its content. */
    READ_DIR(Uapi.LANDLOCK_ACCESS_FS_READ_DIR, Abi.V1),
    /** Remove an empty directory or rename one. */
    REMOVE_DIR(Uapi.LANDLOCK_ACCESS_FS_REMOVE_DIR, Abi.V1),
    /** Unlink (or rename) a file. */
    REMOVE_FILE(Uapi.LANDLOCK_ACCESS_FS_REMOVE_FILE, Abi.V1),
    /** Create (or rename or link) a character device. */
    MAKE_CHAR(Uapi.LANDLOCK_ACCESS_FS_MAKE_CHAR, Abi.V1),
    /** Create (or rename) a directory. */
    MAKE_DIR(Uapi.LANDLOCK_ACCESS_FS_MAKE_DIR, Abi.V1),
    /** Create (or rename or link) a regular file. */
    MAKE_REG(Uapi.LANDLOCK_ACCESS_FS_MAKE_REG, Abi.V1),
    /** Create (or rename or link) a Unix domain socket. */
    MAKE_SOCK(Uapi.LANDLOCK_ACCESS_FS_MAKE_SOCK, Abi.V1),
    /** Create (or rename or link) a named pipe. */
    MAKE_FIFO(Uapi.LANDLOCK_ACCESS_FS_MAKE_FIFO, Abi.V1),
    /** Create (or rename or link) a block device. */
    MAKE_BLOCK(Uapi.LANDLOCK_ACCESS_FS_MAKE_BLOCK, Abi.V1),
    /** Create (or rename or link) a symbolic link. */
    MAKE_SYM(Uapi.LANDLOCK_ACCESS_FS_MAKE_SYM, Abi.V1),
    /**
     * Link or rename a file from or to a different directory. Reparenting is
     * denied by every Landlock domain unless a rule grants this right on both
     * sides (ABI 1 denies it always): without it, such a link or rename fails
     * with EXDEV.
     */
    REFER(Uapi.LANDLOCK_ACCESS_FS_REFER, Abi.V2),
    /** Truncate a file: {@code truncate}, {@code ftruncate}, {@code creat}, {@code open} with {@code O_TRUNC}. */
    TRUNCATE(Uapi.LANDLOCK_ACCESS_FS_TRUNCATE, Abi.V3),
    /** Invoke device-specific ioctl(2) commands on a character or block device opened after restriction. */
    IOCTL_DEV(Uapi.LANDLOCK_ACCESS_FS_IOCTL_DEV, Abi.V5);

    private final long bits;
    private final Abi abi;

    AccessFs(long bits, Abi abi) {
        this.bits = bits;
        this.abi = abi;
    }

    @Override
    public long bits() {
        return bits;
    }

    @Override
    public Abi abi() {
        return abi;
    }

    /** True for a right the kernel accepts on a rule for a non-directory. */
    public boolean appliesToFiles() {
        return (bits & Uapi.ACCESS_FILE) != 0;
    }

    /** Every file system right that {@code abi} defines: {@link #fromRead} plus {@link #fromWrite}. */
    public static EnumSet<AccessFs> fromAll(Abi abi) {
        EnumSet<AccessFs> s = EnumSet.noneOf(AccessFs.class);
        for (AccessFs a : values()) {
            if (abi.isAtLeast(a.abi)) {
                s.add(a);
            }
        }
        return s;
    }

    /**
     * The rights that only read: {@link #EXECUTE}, {@link #READ_FILE},
     * {@link #READ_DIR} (the same split as the Rust landlock crate; execute
     * counts as reading because it cannot change the file system).
     */
    public static EnumSet<AccessFs> fromRead(Abi abi) {
        EnumSet<AccessFs> s = fromAll(abi);
        s.retainAll(EnumSet.of(EXECUTE, READ_FILE, READ_DIR));
        return s;
    }

    /** The rights that change the file system: everything in {@link #fromAll} but {@link #fromRead}. */
    public static EnumSet<AccessFs> fromWrite(Abi abi) {
        EnumSet<AccessFs> s = fromAll(abi);
        s.removeAll(fromRead(abi));
        return s;
    }

    /** The rights that make sense on a single file (not a directory) for {@code abi}. */
    public static EnumSet<AccessFs> fromFile(Abi abi) {
        EnumSet<AccessFs> s = fromAll(abi);
        s.removeIf(a -> !a.appliesToFiles());
        return s;
    }

    static long toBits(Collection<AccessFs> rights) {
        long b = 0;
        for (AccessFs a : rights) {
            b |= a.bits;
        }
        return b;
    }

    static EnumSet<AccessFs> copyOf(Collection<AccessFs> rights) {
        return rights.isEmpty() ? EnumSet.noneOf(AccessFs.class) : EnumSet.copyOf(rights);
    }

    static Set<AccessFs> unmodifiable(Collection<AccessFs> rights) {
        return Collections.unmodifiableSet(copyOf(rights));
    }
}
