package dev.agentd.linux;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The CPU architectures agentd knows, each with its seccomp audit value and
 * its system call table.
 *
 * <p>{@code AUDIT_ARCH_*} values come from Linux uapi {@code linux/audit.h}:
 * {@code EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE} and
 * {@code EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE}.
 */
public enum Arch {
    /** x86_64 (AMD64). */
    X86_64(0xC000003EL, "SCMP_ARCH_X86_64", SyscallTableX8664.table()),
    /** 64-bit ARM. */
    AARCH64(0xC00000B7L, "SCMP_ARCH_AARCH64", SyscallTableAarch64.table());

    /**
     * x86_64's x32 ABI marks its syscall numbers with this bit
     * ({@code __X32_SYSCALL_BIT} in {@code arch/x86/include/uapi/asm/unistd.h}).
     */
    public static final int X32_SYSCALL_BIT = 0x40000000;

    private final long auditArch;
    private final String scmpName;
    private final Map<String, Integer> syscalls;

    Arch(long auditArch, String scmpName, Map<String, Integer> syscalls) {
        this.auditArch = auditArch;
        this.scmpName = scmpName;
        this.syscalls = Collections.unmodifiableMap(syscalls);
    }

    /** The value of {@code seccomp_data.arch} for this architecture. */
    public long auditArch() {
        return auditArch;
    }

    /** The libseccomp / OCI spelling, e.g. {@code SCMP_ARCH_X86_64}. */
    public String scmpName() {
        return scmpName;
    }

    /** The number of syscall {@code name}, if this architecture has it. */
    public OptionalInt syscallNumber(String name) {
        Integer n = syscalls.get(name);
        return n == null ? OptionalInt.empty() : OptionalInt.of(n);
    }

    /** Every syscall name this architecture has, in number order. */
    public Set<String> syscallNames() {
        return syscalls.keySet();
    }

    /** The name of syscall number {@code nr}, or {@code null}. */
    public String syscallName(int nr) {
        for (Map.Entry<String, Integer> e : syscalls.entrySet()) {
            if (e.getValue() == nr) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The architecture this JVM runs on. */
    public static Arch current() {
        String a = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64":
            case "x86_64":
                return X86_64;
            case "aarch64":
            case "arm64":
                return AARCH64;
            default:
                throw new UnsupportedOperationException("unsupported architecture: " + a
                        + " (agentd supports x86_64 and aarch64)");
        }
    }

    /** The architecture with this {@code SCMP_ARCH_*} name, or {@code null} when agentd has no table for it. */
    public static Arch ofScmpName(String name) {
        for (Arch a : values()) {
            if (a.scmpName.equals(name)) {
                return a;
            }
        }
        return null;
    }
}
