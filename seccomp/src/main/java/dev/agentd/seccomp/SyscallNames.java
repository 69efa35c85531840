package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which names are Linux system calls at all. A profile may name a syscall
 * that exists only on some architecture (Docker's names {@code chown32},
 * {@code s390_runtime_instr}, ...): it is skipped when compiling for another
 * one. A name that no architecture has is a typo and an error.
 *
 * <p>Known names are those of {@link Arch}'s tables plus {@link #OTHER_ARCHES}.
 */
final class SyscallNames {
    private SyscallNames() {}

    /**
     * Syscall names of the other architectures libseccomp supports (x86, x32,
     * arm, loongarch64, m68k, mips*, parisc*, ppc*, riscv64, s390*, sh) that
     * neither x86_64 nor aarch64 has. Source: libseccomp's
     * {@code include/seccomp-syscalls.h} (release 2.5.4, the {@code __SNR_*}
     * names), minus the names in agentd's x86_64 and aarch64 tables; plus
     * four the kernel has beside them: m68k's {@code atomic_cmpxchg_32} (335)
     * and {@code atomic_barrier} (336), as listed in libseccomp's
     * {@code src/syscalls.csv} (v6.16 table), riscv64's
     * {@code riscv_hwprobe} (Linux 6.4) and x86_64's {@code uretprobe}
     * (Linux 6.11, number 335 in {@code arch/x86/entry/syscalls/syscall_64.tbl};
     * listed here only because agentd's x86_64 table lacks it, so a profile
     * naming it compiles and skips it).
     */
    static final Set<String> OTHER_ARCHES = Set.of(
            "_llseek", "_newselect", "arm_fadvise64_64", "arm_sync_file_range", "atomic_barrier",
            "atomic_cmpxchg_32", "bdflush", "break", "breakpoint", "cachectl", "cacheflush",
            "chown32", "clock_adjtime64", "clock_getres_time64", "clock_gettime64",
            "clock_nanosleep_time64", "clock_settime64", "fadvise64_64", "fchown32", "fcntl64",
            "fstat64", "fstatat64", "fstatfs64", "ftime", "ftruncate64", "futex_time64", "get_tls",
            "getegid32", "geteuid32", "getgid32", "getgroups32", "getresgid32", "getresuid32",
            "getuid32", "gtty", "idle", "io_pgetevents_time64", "ipc", "lchown32", "lock",
            "lstat64", "mmap2", "mpx", "mq_timedreceive_time64", "mq_timedsend_time64",
            "multiplexer", "nice", "oldfstat", "oldlstat", "oldolduname", "oldstat", "olduname",
            "pciconfig_iobase", "pciconfig_read", "pciconfig_write", "ppoll_time64", "prof",
            "profil", "pselect6_time64", "readdir", "recv", "recvmmsg_time64", "riscv_flush_icache",
            "riscv_hwprobe", "rt_sigtimedwait_time64", "rtas", "s390_guarded_storage",
            "s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr", "s390_sthyi",
            "sched_rr_get_interval_time64", "semtimedop_time64", "send", "sendfile64", "set_tls",
            "setfsgid32", "setfsuid32", "setgid32", "setgroups32", "setregid32", "setresgid32",
            "setresuid32", "setreuid32", "setuid32", "sgetmask", "sigaction", "signal",
            "sigpending", "sigprocmask", "sigreturn", "sigsuspend", "socketcall", "spu_create",
            "spu_run", "ssetmask", "stat64", "statfs64", "stime", "stty", "subpage_prot",
            "swapcontext", "switch_endian", "sync_file_range2", "sys_debug_setcontext", "syscall",
            "sysmips", "timer_gettime64", "timer_settime64", "timerfd", "timerfd_gettime64",
            "timerfd_settime64", "truncate64", "ugetrlimit", "ulimit", "umount", "uretprobe",
            "usr26", "usr32", "utimensat_time64", "vm86", "vm86old", "waitpid");

    private static final Set<String> ALL = all();

    private static Set<String> all() {
        Set<String> s = new TreeSet<>(OTHER_ARCHES);
        for (Arch a : Arch.values()) {
            s.addAll(a.syscallNames());
        }
        return Set.copyOf(s);
    }

    /** Whether some Linux architecture has a syscall called {@code name}. */
    static boolean known(String name) {
        return ALL.contains(name);
    }

    /** The known name closest to {@code name} by edit distance, for a "did you mean" hint. */
    static String closest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(ALL)) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 3) ? best : null;
    }

    /** Damerau-Levenshtein (optimal string alignment) distance, so a swap of two letters costs 1. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
