package dev.agentd.linux;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.Pointer;

/**
 * The three Landlock system calls, with their structs laid out here.
 *
 * <p>Struct layouts and constants: Linux uapi {@code linux/landlock.h}.
 */
public final class LandlockSyscall {
    private LandlockSyscall() {}

    static final int LANDLOCK_CREATE_RULESET_VERSION = 1;
    static final int LANDLOCK_RULE_PATH_BENEATH = 1;
    static final int LANDLOCK_RULE_NET_PORT = 2;

    /**
     * {@code struct landlock_ruleset_attr}: u64 handled_access_fs (ABI 1),
     * u64 handled_access_net (ABI 4), u64 scoped (ABI 6). The kernel accepts a
     * larger struct whose unknown tail is zero, so the full size is always passed.
     */
    static final int RULESET_ATTR_SIZE = 24;

    /**
     * The Landlock ABI version this kernel offers, 0 when Landlock is
     * compiled out or disabled at boot (ENOSYS / EOPNOTSUPP).
     */
    public static int abiVersion() {
        try {
            return (int) Native.syscall("landlock_create_ruleset", "LANDLOCK_CREATE_RULESET_VERSION",
                    0, 0, LANDLOCK_CREATE_RULESET_VERSION);
        } catch (SyscallException e) {
            return 0;
        }
    }

    /** The errno the version probe fails with, for an explanation, or {@code null} when it works. */
    public static Errno abiVersionError() {
        try {
            Native.syscall("landlock_create_ruleset", "", 0, 0, LANDLOCK_CREATE_RULESET_VERSION);
            return null;
        } catch (SyscallException e) {
            return e.errno();
        }
    }

    /** Creates a ruleset handling these access masks. */
    public static Fd createRuleset(long handledFs, long handledNet, long scoped) throws SyscallException {
        Pointer attr = Native.allocate(RULESET_ATTR_SIZE);
        attr.putLong(0, handledFs);
        attr.putLong(8, handledNet);
        attr.putLong(16, scoped);
        long fd = Native.syscall("landlock_create_ruleset",
                String.format("handled_fs=0x%x, handled_net=0x%x, scoped=0x%x", handledFs, handledNet, scoped),
                attr.address(), RULESET_ATTR_SIZE, 0);
        return new Fd((int) fd, "landlock ruleset");
    }

    /**
     * Allows {@code access} beneath {@code path}. {@code struct
     * landlock_path_beneath_attr} is packed: u64 allowed_access, s32 parent_fd.
     */
    public static void addPathBeneath(Fd ruleset, Path path, long access) throws IOException {
        try (Fd parent = FileSyscall.openPath(path)) {
            Pointer attr = Native.allocate(12);
            attr.putLong(0, access);
            attr.putInt(8, parent.number());
            Native.syscall("landlock_add_rule", String.format("path=%s, access=0x%x", path, access),
                    ruleset.number(), LANDLOCK_RULE_PATH_BENEATH, attr.address(), 0);
        }
    }

    /** Allows {@code access} on TCP {@code port}: {@code struct landlock_net_port_attr} is u64 allowed_access, u64 port. */
    public static void addNetPort(Fd ruleset, int port, long access) throws SyscallException {
        Pointer attr = Native.allocate(16);
        attr.putLong(0, access);
        attr.putLong(8, port);
        Native.syscall("landlock_add_rule", String.format("port=%d, access=0x%x", port, access),
                ruleset.number(), LANDLOCK_RULE_NET_PORT, attr.address(), 0);
    }

    /**
     * Restricts the calling thread (and everything it spawns, for life) to
     * {@code ruleset}. Needs no_new_privs or CAP_SYS_ADMIN.
     */
    public static void restrictSelf(Fd ruleset, int flags) throws SyscallException {
        Native.syscall("landlock_restrict_self", "flags=" + flags, ruleset.number(), flags);
    }
}
