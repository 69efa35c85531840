package dev.agentd.linux;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * unshare(2) and sethostname(2).
 *
 * <p>In a multithreaded process (a JVM) {@code unshare} acts on the calling
 * thread: its mount, UTS, IPC, network and cgroup namespaces change at once,
 * its pid namespace only for the children it creates afterwards — and after
 * {@link Namespace#PID} the thread can no longer create threads
 * (kernel-facts.md). A user namespace cannot be unshared in a multithreaded
 * process at all (EINVAL), so it is not offered.
 */
public final class NamespaceSyscall {
    private NamespaceSyscall() {}

    /** Namespaces a thread can unshare. CLONE_* values: uapi {@code linux/sched.h}. */
    public enum Namespace {
        MOUNT(0x00020000),
        UTS(0x04000000),
        IPC(0x08000000),
        PID(0x20000000),
        NET(0x40000000),
        CGROUP(0x02000000);

        private final int flag;

        Namespace(int flag) {
            this.flag = flag;
        }

        public int flag() {
            return flag;
        }
    }

    /** Unshares {@code namespaces} for the calling thread. */
    public static void unshare(Set<Namespace> namespaces) throws SyscallException {
        int flags = 0;
        for (Namespace n : namespaces) {
            flags |= n.flag;
        }
        Native.check(Native.libc().unshare(flags), "unshare", "namespaces=" + namespaces);
    }

    /** Sets the hostname of the calling thread's UTS namespace. */
    public static void sethostname(String name) throws SyscallException {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        Native.check(Native.libc().sethostname(name, b.length), "sethostname", "name=" + name);
    }
}
