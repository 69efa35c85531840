package dev.agentd.seccomp;

/**
 * Classic BPF opcodes and the layout of {@code struct seccomp_data}.
 *
 * <p>Sources: Linux uapi {@code include/uapi/linux/bpf_common.h} (classes,
 * sizes, modes, operations, sources, {@code BPF_MAXINSNS}),
 * {@code include/uapi/linux/filter.h} ({@code BPF_A}, {@code BPF_TAX},
 * {@code BPF_TXA}, {@code BPF_MEMWORDS}) and
 * {@code include/uapi/linux/seccomp.h} ({@code struct seccomp_data}).
 */
final class Bpf {
    private Bpf() {}

    // Instruction classes: BPF_CLASS(code) = code & 0x07.
    static final int LD = 0x00;
    static final int LDX = 0x01;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int ALU = 0x04;
    static final int JMP = 0x05;
    static final int RET = 0x06;
    static final int MISC = 0x07;

    // Load sizes: BPF_SIZE(code) = code & 0x18.
    static final int W = 0x00;
    static final int H = 0x08;
    static final int B = 0x10;

    // Load modes: BPF_MODE(code) = code & 0xe0.
    static final int IMM = 0x00;
    static final int ABS = 0x20;
    static final int IND = 0x40;
    static final int MEM = 0x60;
    static final int LEN = 0x80;
    static final int MSH = 0xa0;

    // ALU operations: BPF_OP(code) = code & 0xf0.
    static final int ADD = 0x00;
    static final int SUB = 0x10;
    static final int MUL = 0x20;
    static final int DIV = 0x30;
    static final int OR = 0x40;
    static final int AND = 0x50;
    static final int LSH = 0x60;
    static final int RSH = 0x70;
    static final int NEG = 0x80;
    static final int MOD = 0x90;
    static final int XOR = 0xa0;

    // Jump operations, same field.
    static final int JA = 0x00;
    static final int JEQ = 0x10;
    static final int JGT = 0x20;
    static final int JGE = 0x30;
    static final int JSET = 0x40;

    // Operand source: BPF_SRC(code) = code & 0x08.
    static final int K = 0x00;
    static final int X = 0x08;

    /** BPF_RVAL(code) = code & 0x18: return the accumulator. */
    static final int A = 0x10;

    // BPF_MISCOP(code) = code & 0xf8.
    static final int TAX = 0x00;
    static final int TXA = 0x80;

    /** Scratch memory cells. */
    static final int MEMWORDS = 16;
    /** Longest program the kernel loads. */
    static final int MAXINSNS = 4096;
    /** The widest conditional jump: jt and jf are u8 in {@code struct sock_filter}. */
    static final int MAX_COND_JUMP = 255;

    // struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; }
    static final int DATA_NR = 0;
    static final int DATA_ARCH = 4;
    static final int DATA_IP = 8;
    static final int DATA_ARGS = 16;
    static final int DATA_ARG_COUNT = 6;
    /** sizeof(struct seccomp_data). */
    static final int DATA_SIZE = 64;

    /**
     * {@code __AUDIT_ARCH_LE} in {@code include/uapi/linux/audit.h}: set in
     * the {@code AUDIT_ARCH_*} value of every little-endian architecture.
     * It decides which half of a 64-bit {@code seccomp_data} field comes first.
     */
    static final long AUDIT_ARCH_LE = 0x40000000L;

    static int cls(int code) {
        return code & 0x07;
    }

    static int size(int code) {
        return code & 0x18;
    }

    static int mode(int code) {
        return code & 0xe0;
    }

    static int op(int code) {
        return code & 0xf0;
    }

    static int src(int code) {
        return code & 0x08;
    }

    static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /** Offset of the low 32-bit word of a 64-bit field at {@code offset}. */
    static int lowWord(int offset, boolean littleEndian) {
        return littleEndian ? offset : offset + 4;
    }

    /** Offset of the high 32-bit word of a 64-bit field at {@code offset}. */
    static int highWord(int offset, boolean littleEndian) {
        return littleEndian ? offset + 4 : offset;
    }
}
