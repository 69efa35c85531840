package dev.agentd.seccomp;

import java.util.Arrays;

/**
 * The checks the kernel applies before it accepts a seccomp filter, so a
 * {@link BpfProgram} that exists is one the kernel would load.
 *
 * <p>Mirrors {@code bpf_check_classic} and {@code check_load_and_stores} in
 * {@code net/core/filter.c} and {@code seccomp_check_filter} in
 * {@code kernel/seccomp.c}: only the opcodes seccomp allows; {@code ld [k]}
 * aligned and inside {@code struct seccomp_data}; scratch cells in range and
 * written before read on every path; no constant division by zero or shift
 * of 32 or more; every jump forward and inside the program; a return last.
 */
final class Verifier {
    private Verifier() {}

    /** Throws {@link IllegalArgumentException} naming the first offending instruction. */
    static void verify(BpfInstruction[] p) {
        if (p.length == 0 || p.length > Bpf.MAXINSNS) {
            throw new IllegalArgumentException("a seccomp filter has 1.." + Bpf.MAXINSNS
                    + " instructions (BPF_MAXINSNS), this one " + p.length);
        }
        for (int pc = 0; pc < p.length; pc++) {
            BpfInstruction in = p[pc];
            int code = in.code();
            if (!allowed(code)) {
                throw bad(pc, in, "opcode " + Bpf.hex(code) + " is not allowed in a seccomp filter"
                        + " (kernel/seccomp.c seccomp_check_filter)");
            }
            int k = in.k();
            if (code == (Bpf.LD | Bpf.W | Bpf.ABS) && (Integer.compareUnsigned(k, Bpf.DATA_SIZE) >= 0 || (k & 3) != 0)) {
                throw bad(pc, in, "ld [" + k + "] is outside struct seccomp_data or not 4-byte aligned");
            }
            if ((code == (Bpf.LD | Bpf.MEM) || code == (Bpf.LDX | Bpf.MEM) || code == Bpf.ST || code == Bpf.STX)
                    && Integer.compareUnsigned(k, Bpf.MEMWORDS) >= 0) {
                throw bad(pc, in, "scratch cell M[" + Integer.toUnsignedString(k) + "] does not exist (BPF_MEMWORDS = 16)");
            }
            if (code == (Bpf.ALU | Bpf.DIV | Bpf.K) && k == 0) {
                throw bad(pc, in, "division by constant 0");
            }
            if ((code == (Bpf.ALU | Bpf.LSH | Bpf.K) || code == (Bpf.ALU | Bpf.RSH | Bpf.K))
                    && Integer.compareUnsigned(k, 32) >= 0) {
                throw bad(pc, in, "shift by " + Integer.toUnsignedString(k) + " (32 or more)");
            }
            if (Bpf.cls(code) == Bpf.JMP) {
                long remaining = p.length - pc - 1L;
                if (Bpf.op(code) == Bpf.JA) {
                    if (Integer.toUnsignedLong(k) >= remaining) {
                        throw bad(pc, in, "ja leaves the program");
                    }
                } else if (in.jt() >= remaining || in.jf() >= remaining) {
                    throw bad(pc, in, "conditional jump leaves the program");
                }
            }
        }
        if (Bpf.cls(p[p.length - 1].code()) != Bpf.RET) {
            throw bad(p.length - 1, p[p.length - 1], "the last instruction must be a return");
        }
        checkLoadAndStores(p);
    }

    /**
     * {@code check_load_and_stores}: every scratch read must follow a write
     * on every path into it. One bit per cell; a jump intersects the mask of
     * its targets, as the kernel does.
     */
    private static void checkLoadAndStores(BpfInstruction[] p) {
        int[] masks = new int[p.length];
        Arrays.fill(masks, 0xffff);
        int valid = 0;
        for (int pc = 0; pc < p.length; pc++) {
            valid &= masks[pc];
            BpfInstruction in = p[pc];
            int code = in.code();
            if (code == Bpf.ST || code == Bpf.STX) {
                valid |= 1 << in.k();
            } else if (code == (Bpf.LD | Bpf.MEM) || code == (Bpf.LDX | Bpf.MEM)) {
                if ((valid & (1 << in.k())) == 0) {
                    throw bad(pc, in, "M[" + in.k() + "] may be read before it is written");
                }
            } else if (Bpf.cls(code) == Bpf.JMP) {
                if (Bpf.op(code) == Bpf.JA) {
                    masks[pc + 1 + in.k()] &= valid;
                } else {
                    masks[pc + 1 + in.jt()] &= valid;
                    masks[pc + 1 + in.jf()] &= valid;
                }
                valid = 0xffff;
            }
        }
    }

    /** The opcodes {@code seccomp_check_filter} lets through (after its rewrite of the two LEN loads). */
    static boolean allowed(int code) {
        switch (code) {
            case Bpf.LD | Bpf.W | Bpf.ABS:
            case Bpf.LD | Bpf.W | Bpf.LEN:
            case Bpf.LDX | Bpf.W | Bpf.LEN:
            case Bpf.RET | Bpf.K:
            case Bpf.RET | Bpf.A:
            case Bpf.ALU | Bpf.ADD | Bpf.K:
            case Bpf.ALU | Bpf.ADD | Bpf.X:
            case Bpf.ALU | Bpf.SUB | Bpf.K:
            case Bpf.ALU | Bpf.SUB | Bpf.X:
            case Bpf.ALU | Bpf.MUL | Bpf.K:
            case Bpf.ALU | Bpf.MUL | Bpf.X:
            case Bpf.ALU | Bpf.DIV | Bpf.K:
            case Bpf.ALU | Bpf.DIV | Bpf.X:
            case Bpf.ALU | Bpf.AND | Bpf.K:
            case Bpf.ALU | Bpf.AND | Bpf.X:
            case Bpf.ALU | Bpf.OR | Bpf.K:
            case Bpf.ALU | Bpf.OR | Bpf.X:
            case Bpf.ALU | Bpf.XOR | Bpf.K:
            case Bpf.ALU | Bpf.XOR | Bpf.X:
            case Bpf.ALU | Bpf.LSH | Bpf.K:
            case Bpf.ALU | Bpf.LSH | Bpf.X:
            case Bpf.ALU | Bpf.RSH | Bpf.K:
            case Bpf.ALU | Bpf.RSH | Bpf.X:
            case Bpf.ALU | Bpf.NEG:
            case Bpf.LD | Bpf.IMM:
            case Bpf.LDX | Bpf.IMM:
            case Bpf.MISC | Bpf.TAX:
            case Bpf.MISC | Bpf.TXA:
            case Bpf.LD | Bpf.MEM:
            case Bpf.LDX | Bpf.MEM:
            case Bpf.ST:
            case Bpf.STX:
            case Bpf.JMP | Bpf.JA:
            case Bpf.JMP | Bpf.JEQ | Bpf.K:
            case Bpf.JMP | Bpf.JEQ | Bpf.X:
            case Bpf.JMP | Bpf.JGE | Bpf.K:
            case Bpf.JMP | Bpf.JGE | Bpf.X:
            case Bpf.JMP | Bpf.JGT | Bpf.K:
            case Bpf.JMP | Bpf.JGT | Bpf.X:
            case Bpf.JMP | Bpf.JSET | Bpf.K:
            case Bpf.JMP | Bpf.JSET | Bpf.X:
                return true;
            default:
                return false;
        }
    }

    private static IllegalArgumentException bad(int pc, BpfInstruction in, String why) {
        return new IllegalArgumentException(String.format("invalid seccomp filter: instruction %04d %s: %s", pc, in, why));
    }
}
