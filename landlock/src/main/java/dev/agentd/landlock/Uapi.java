package dev.agentd.landlock;

/**
 * The Landlock constants this library passes to the kernel, copied from
 * Linux uapi {@code include/uapi/linux/landlock.h} (as of Linux 6.15, the
 * kernel that introduced ABI 7). One place, so every bit value has a source
 * and a reviewer can diff this file against the header.
 *
 * <p>The ABI each constant arrived with is from the same header's comments and
 * {@code Documentation/userspace-api/landlock.rst} ("Previous limitations").
 */
final class Uapi {
    private Uapi() {}

    // --- struct landlock_ruleset_attr.handled_access_fs / landlock_path_beneath_attr.allowed_access
    // "Filesystem flags" (DOC: fs_access).
    /** {@code LANDLOCK_ACCESS_FS_EXECUTE} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_EXECUTE = 1L << 0;
    /** {@code LANDLOCK_ACCESS_FS_WRITE_FILE} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_WRITE_FILE = 1L << 1;
    /** {@code LANDLOCK_ACCESS_FS_READ_FILE} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_READ_FILE = 1L << 2;
    /** {@code LANDLOCK_ACCESS_FS_READ_DIR} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_READ_DIR = 1L << 3;
    /** {@code LANDLOCK_ACCESS_FS_REMOVE_DIR} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_REMOVE_DIR = 1L << 4;
    /** {@code LANDLOCK_ACCESS_FS_REMOVE_FILE} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_REMOVE_FILE = 1L << 5;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_CHAR} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_CHAR = 1L << 6;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_DIR} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_DIR = 1L << 7;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_REG} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_REG = 1L << 8;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_SOCK} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_SOCK = 1L << 9;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_FIFO} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_FIFO = 1L << 10;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_BLOCK} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_BLOCK = 1L << 11;
    /** {@code LANDLOCK_ACCESS_FS_MAKE_SYM} (ABI 1). */
    static final long LANDLOCK_ACCESS_FS_MAKE_SYM = 1L << 12;
    /** {@code LANDLOCK_ACCESS_FS_REFER} (ABI 2). */
    static final long LANDLOCK_ACCESS_FS_REFER = 1L << 13;
    /** {@code LANDLOCK_ACCESS_FS_TRUNCATE} (ABI 3). */
    static final long LANDLOCK_ACCESS_FS_TRUNCATE = 1L << 14;
    /** {@code LANDLOCK_ACCESS_FS_IOCTL_DEV} (ABI 5). */
    static final long LANDLOCK_ACCESS_FS_IOCTL_DEV = 1L << 15;

    // --- handled_access_net / landlock_net_port_attr.allowed_access: "Network flags" (DOC: net_access).
    /** {@code LANDLOCK_ACCESS_NET_BIND_TCP} (ABI 4). */
    static final long LANDLOCK_ACCESS_NET_BIND_TCP = 1L << 0;
    /** {@code LANDLOCK_ACCESS_NET_CONNECT_TCP} (ABI 4). */
    static final long LANDLOCK_ACCESS_NET_CONNECT_TCP = 1L << 1;

    // --- struct landlock_ruleset_attr.scoped: "Scope flags" (DOC: scope).
    /** {@code LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET} (ABI 6). */
    static final long LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET = 1L << 0;
    /** {@code LANDLOCK_SCOPE_SIGNAL} (ABI 6). */
    static final long LANDLOCK_SCOPE_SIGNAL = 1L << 1;

    // --- sys_landlock_restrict_self() flags (DOC: landlock_restrict_self_flags).
    /** {@code LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF} (ABI 7). */
    static final int LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF = 1 << 0;
    /** {@code LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON} (ABI 7). */
    static final int LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON = 1 << 1;
    /** {@code LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF} (ABI 7). */
    static final int LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF = 1 << 2;

    /**
     * The rights the kernel accepts on a rule whose path is not a directory
     * ({@code ACCESS_FILE} in {@code security/landlock/fs.c}); any other right
     * on a file makes {@code landlock_add_rule} fail with EINVAL.
     */
    static final long ACCESS_FILE = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE
            | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV;

    /** Highest TCP port a {@code landlock_net_port_attr.port} may name (the kernel rejects larger with EINVAL). */
    static final int MAX_PORT = 65535;
}
