package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import dev.agentd.linux.Errno;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The built-in agent-default profile answers what agentd promises, on both architectures. */
class AgentDefaultProfileTest {
    static final Action EPERM = Action.errno(Errno.EPERM);

    static final List<String> DENIED = List.of("unshare", "setns", "mount", "umount2", "pivot_root", "move_mount",
            "open_tree", "open_tree_attr", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "bpf", "ptrace",
            "process_vm_readv", "process_vm_writev", "keyctl", "add_key", "request_key", "io_uring_setup",
            "io_uring_enter", "io_uring_register", "userfaultfd", "perf_event_open", "kexec_load", "kexec_file_load",
            "init_module", "finit_module", "delete_module", "reboot", "swapon", "swapoff", "open_by_handle_at",
            "name_to_handle_at", "acct", "chroot", "settimeofday", "clock_settime", "adjtimex", "clock_adjtime",
            "syslog", "quotactl", "lookup_dcookie", "vhangup", "nfsservctl", "lsm_set_self_attr", "sethostname",
            "setdomainname", "kcmp", "pidfd_getfd");
    static final List<String> DENIED_X86_ONLY = List.of("iopl", "ioperm", "create_module", "get_kernel_syms",
            "query_module", "uselib", "ustat", "sysfs", "_sysctl", "modify_ldt");

    static final List<String> ALLOWED = List.of("read", "write", "openat", "close", "mmap", "mprotect", "munmap",
            "brk", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "pread64", "execve", "execveat", "exit",
            "exit_group", "wait4", "waitid", "kill", "futex", "set_robust_list", "rseq", "set_tid_address", "getpid",
            "gettid", "socketpair", "connect", "bind", "listen", "accept4", "sendmsg", "recvmsg", "epoll_pwait",
            "ppoll", "pselect6", "clock_gettime", "clock_nanosleep", "nanosleep", "getrandom", "statx", "newfstatat",
            "getdents64", "pipe2", "dup3", "fcntl", "prlimit64", "sched_getaffinity", "sched_yield", "madvise",
            "membarrier", "memfd_create", "eventfd2", "timerfd_create", "signalfd4", "inotify_init1", "sysinfo",
            "uname", "getcwd", "chdir", "fchdir", "umask", "mkdirat", "unlinkat", "renameat2", "symlinkat",
            "linkat", "fchmodat", "fchownat", "utimensat", "setresuid", "setresgid", "setgroups", "capget", "capset",
            "prctl", "seccomp", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
            "pidfd_open", "pidfd_send_signal", "close_range", "copy_file_range", "sendfile", "splice", "mremap",
            "msync", "mlock", "getrusage", "times", "setsid", "setpgid", "getpgid", "tgkill", "sigaltstack",
            "restart_syscall", "faccessat2", "openat2", "readlinkat", "fstatfs", "statfs", "fsync", "fdatasync",
            "ftruncate", "fallocate", "flock", "shutdown", "getsockopt", "setsockopt", "getsockname", "getpeername",
            "sendto", "recvfrom", "sendmmsg", "recvmmsg", "io_setup", "io_submit", "io_getevents", "file_getattr");
    static final List<String> ALLOWED_X86_ONLY = List.of("open", "stat", "lstat", "access", "pipe", "fork", "vfork",
            "arch_prctl", "dup2", "poll", "select", "epoll_wait", "readlink", "getdents", "time");

    @Test
    void denials_answerEperm() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (String name : DENIED) {
                assertEquals(EPERM, answer(p, arch, name), arch + " " + name);
            }
        }
        BpfProgram x86 = Seccomp.agentDefault(Arch.X86_64);
        for (String name : DENIED_X86_ONLY) {
            assertEquals(EPERM, answer(x86, Arch.X86_64, name), name);
        }
    }

    @Test
    void ordinaryCalls_areAllowed() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (String name : ALLOWED) {
                assertEquals(Action.ALLOW, answer(p, arch, name), arch + " " + name);
            }
        }
        BpfProgram x86 = Seccomp.agentDefault(Arch.X86_64);
        for (String name : ALLOWED_X86_ONLY) {
            assertEquals(Action.ALLOW, answer(x86, Arch.X86_64, name), name);
        }
    }

    @Test
    void clone_onlyWithoutNamespaceFlags_clone3IsEnosys() {
        // glibc's flags for pthread_create and for fork/posix_spawn.
        long thread = 0x3d0f00; // CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID
        long fork = 0x01200011; // CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
        long vfork = 0x4111; // CLONE_VM|CLONE_VFORK|SIGCHLD
        long[] newFlags = {0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000};
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (long ok : new long[] {thread, fork, vfork, 0x11, 0xffffffff00000000L | fork}) {
                assertEquals(Action.ALLOW, answer(p, arch, "clone", ok), arch + " clone 0x" + Long.toHexString(ok));
            }
            for (long ns : newFlags) {
                assertEquals(EPERM, answer(p, arch, "clone", fork | ns), arch + " clone 0x" + Long.toHexString(fork | ns));
            }
            assertEquals(Action.errno(Errno.ENOSYS), answer(p, arch, "clone3"));
            assertEquals(Action.errno(Errno.ENOSYS), answer(p, arch, "clone3", 0x10000000));
        }
    }

    @Test
    void personality_onlyDockersValues() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (long ok : new long[] {0x0, 0x8, 0x20000, 0x20008, 0xffffffffL}) {
                assertEquals(Action.ALLOW, answer(p, arch, "personality", ok), "personality 0x" + Long.toHexString(ok));
            }
            for (long bad : new long[] {0x1234, 0x1, 0x400000, 0x0400000 | 0x8, 0x100000008L, 0xffffffffffffffffL}) {
                assertEquals(EPERM, answer(p, arch, "personality", bad), "personality 0x" + Long.toHexString(bad));
            }
        }
    }

    @Test
    void ioctl_tiocstiAndTioclinuxRefused_restAllowed_highBitsIgnored() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            assertEquals(EPERM, answer(p, arch, "ioctl", 0, 0x5412));
            assertEquals(EPERM, answer(p, arch, "ioctl", 0, 0x541c));
            // The kernel truncates cmd to 32 bits: high bits must not get TIOCSTI through.
            assertEquals(EPERM, answer(p, arch, "ioctl", 0, 0xdead000000005412L));
            for (long ok : new long[] {0x5401 /* TCGETS */, 0x5413 /* TIOCGWINSZ */, 0x5411, 0x80045430L, 0x5412L << 32}) {
                assertEquals(Action.ALLOW, answer(p, arch, "ioctl", 1, ok), "ioctl 0x" + Long.toHexString(ok));
            }
        }
    }

    @Test
    void socket_everyFamilyButAlgAndVsock() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (long family : new long[] {1 /* AF_UNIX */, 2 /* AF_INET */, 10 /* AF_INET6 */, 16 /* AF_NETLINK */, 39, 41}) {
                assertEquals(Action.ALLOW, answer(p, arch, "socket", family, 1), "family " + family);
            }
            for (long family : new long[] {38, 40, 0x100000026L, 0xffffffff00000028L}) {
                assertEquals(Action.errno(Errno.EAFNOSUPPORT), answer(p, arch, "socket", family, 5),
                        "family 0x" + Long.toHexString(family));
            }
        }
    }

    @Test
    void unknownAndFutureNumbers_getTheDefault() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            for (int nr : new int[] {470, 500, 1000, 0x3fffffff}) {
                assertEquals(EPERM, p.evaluate(SeccompData.of(arch, nr)).action(), arch + " nr " + nr);
            }
        }
    }

    @Test
    void profile_isAnAllowListOfAboutThreeHundred() throws Exception {
        SeccompProfile p = SeccompProfiles.agentDefault();
        assertEquals(EPERM, p.defaultAction());
        long allowedX86 = Arch.X86_64.syscallNames().stream()
                .filter(n -> Seccomp.agentDefault(Arch.X86_64).evaluate(SeccompData.of(Arch.X86_64, n)).action().equals(Action.ALLOW))
                .count();
        assertTrue(allowedX86 >= 290 && allowedX86 <= 320, "allowed on x86_64 with zero args: " + allowedX86);
        for (SeccompProfile.Rule r : p.syscalls()) {
            assertTrue(!r.comment().isEmpty(), "every rule says why: " + r.names());
        }
    }

    static Action answer(BpfProgram p, Arch arch, String name, long... args) {
        return p.evaluate(SeccompData.of(arch, name, args)).action();
    }
}
