package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.Arrays;

/**
 * The input of a seccomp filter: {@code struct seccomp_data} of Linux uapi
 * {@code include/uapi/linux/seccomp.h} — syscall number, {@code AUDIT_ARCH_*}
 * value, instruction pointer and six 64-bit arguments. Use it to dry-run a
 * call through {@link BpfProgram#evaluate(SeccompData)}.
 */
public final class SeccompData {
    private final int nr;
    private final int arch;
    private final long instructionPointer;
    private final long[] args;

    /**
     * @param nr                 the syscall number as the kernel passes it (x32 calls carry {@code Arch.X32_SYSCALL_BIT})
     * @param arch               the {@code AUDIT_ARCH_*} value, an unsigned 32-bit number held in an int
     * @param instructionPointer where the call was made
     * @param args               up to six arguments; missing ones are 0
     */
    public SeccompData(int nr, int arch, long instructionPointer, long... args) {
        if (args.length > Bpf.DATA_ARG_COUNT) {
            throw new IllegalArgumentException("a syscall has at most 6 arguments, got " + args.length);
        }
        this.nr = nr;
        this.arch = arch;
        this.instructionPointer = instructionPointer;
        this.args = Arrays.copyOf(args, Bpf.DATA_ARG_COUNT);
    }

    /** Call number {@code nr} made natively on {@code arch}. */
    public static SeccompData of(Arch arch, int nr, long... args) {
        return new SeccompData(nr, (int) arch.auditArch(), 0, args);
    }

    /** Call {@code name} made natively on {@code arch}; the name must exist there. */
    public static SeccompData of(Arch arch, String name, long... args) {
        int nr = arch.syscallNumber(name).orElseThrow(
                () -> new IllegalArgumentException("no syscall \"" + name + "\" on " + arch));
        return of(arch, nr, args);
    }

    public int nr() {
        return nr;
    }

    /** The {@code AUDIT_ARCH_*} value, as an unsigned number. */
    public long arch() {
        return Integer.toUnsignedLong(arch);
    }

    public long instructionPointer() {
        return instructionPointer;
    }

    /** Argument {@code index} (0..5). */
    public long arg(int index) {
        return args[index];
    }

    /** A copy with the syscall number replaced. */
    public SeccompData withNr(int newNr) {
        return new SeccompData(newNr, arch, instructionPointer, args);
    }

    /** A copy with the architecture value replaced (to model a foreign ABI). */
    public SeccompData withArch(long auditArch) {
        return new SeccompData(nr, (int) auditArch, instructionPointer, args);
    }

    /** A copy with argument {@code index} replaced. */
    public SeccompData withArg(int index, long value) {
        long[] a = args.clone();
        a[index] = value;
        return new SeccompData(nr, arch, instructionPointer, a);
    }

    /**
     * The 32-bit word a {@code ld [offset]} reads, as the kernel lays the
     * struct out in memory on a machine of the given byte order.
     */
    int word(int offset, boolean littleEndian) {
        if (offset == Bpf.DATA_NR) {
            return nr;
        }
        if (offset == Bpf.DATA_ARCH) {
            return arch;
        }
        long field = offset < Bpf.DATA_ARGS ? instructionPointer : args[(offset - Bpf.DATA_ARGS) / 8];
        int base = offset < Bpf.DATA_ARGS ? Bpf.DATA_IP : Bpf.DATA_ARGS + (offset - Bpf.DATA_ARGS) / 8 * 8;
        boolean low = offset == Bpf.lowWord(base, littleEndian);
        return low ? (int) field : (int) (field >>> 32);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeccompData d && d.nr == nr && d.arch == arch
                && d.instructionPointer == instructionPointer && Arrays.equals(d.args, args);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * nr + arch) + Arrays.hashCode(args);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("seccomp_data{nr=").append(nr)
                .append(", arch=").append(Bpf.hex(arch)).append(", args=[");
        for (int i = 0; i < args.length; i++) {
            sb.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(args[i]));
        }
        return sb.append("]}").toString();
    }
}
