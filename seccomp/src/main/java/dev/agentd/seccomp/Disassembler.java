package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import dev.agentd.linux.Errno;
import java.util.HashMap;
import java.util.Map;

/**
 * Renders a program as one line per instruction, in the spirit of
 * {@code bpf_dbg} and libseccomp's {@code scmp_bpf_disasm}:
 *
 * <pre>
 * 0000: ld [4]                               ; arch
 * 0001: jeq #0xc000003e, 0003, 0002          ; AUDIT_ARCH_X86_64
 * 0007: jge #0x3b, 0008, 0012                ; execve
 * 0040: ret ERRNO(1)                         ; EPERM
 * </pre>
 *
 * <p>Jump targets are absolute. Comments come from a forward data-flow pass
 * that tracks which {@code seccomp_data} field the accumulator holds, so a
 * constant compared with {@code nr} is named after its syscall and one
 * compared with {@code arch} after its architecture.
 */
final class Disassembler {
    private Disassembler() {}

    private static final int UNSET = -2;
    private static final int UNKNOWN = -1;

    static String dump(BpfProgram program) {
        Arch arch = program.arch();
        boolean le = program.littleEndian();
        Map<Integer, String> names = new HashMap<>();
        for (String n : arch.syscallNames()) {
            names.put(arch.syscallNumber(n).getAsInt(), n);
        }
        int len = program.length();
        // What A holds on entry to each instruction: a seccomp_data offset, UNKNOWN or UNSET.
        int[] aHolds = new int[len];
        java.util.Arrays.fill(aHolds, UNSET);
        aHolds[0] = UNKNOWN;
        StringBuilder out = new StringBuilder();
        out.append("; seccomp filter for ").append(arch.name().toLowerCase(java.util.Locale.ROOT))
                .append(", ").append(len).append(" instructions\n");
        for (int pc = 0; pc < len; pc++) {
            BpfInstruction in = program.instruction(pc);
            int held = aHolds[pc] == UNSET ? UNKNOWN : aHolds[pc];
            int code = in.code();
            int k = in.k();
            String text;
            String comment = "";
            int after = UNKNOWN;
            boolean fallsThrough = true;
            switch (Bpf.cls(code)) {
                case Bpf.LD:
                    if (Bpf.mode(code) == Bpf.ABS) {
                        text = "ld [" + k + "]";
                        comment = field(k, le);
                        after = k;
                    } else if (Bpf.mode(code) == Bpf.LEN) {
                        text = "ld #len";
                        comment = "sizeof(struct seccomp_data)";
                    } else if (Bpf.mode(code) == Bpf.MEM) {
                        text = "ld M[" + k + "]";
                    } else {
                        text = "ld #" + Bpf.hex(k);
                    }
                    break;
                case Bpf.LDX:
                    after = held;
                    text = Bpf.mode(code) == Bpf.MEM ? "ldx M[" + k + "]"
                            : Bpf.mode(code) == Bpf.LEN ? "ldx #len" : "ldx #" + Bpf.hex(k);
                    break;
                case Bpf.ST:
                    after = held;
                    text = "st M[" + k + "]";
                    break;
                case Bpf.STX:
                    after = held;
                    text = "stx M[" + k + "]";
                    break;
                case Bpf.ALU:
                    text = alu(code, k);
                    break;
                case Bpf.JMP:
                    after = held;
                    if (Bpf.op(code) == Bpf.JA) {
                        int target = pc + 1 + k;
                        text = String.format("ja %04d", target);
                        merge(aHolds, target, held);
                        fallsThrough = false;
                    } else {
                        int t = pc + 1 + in.jt();
                        int f = pc + 1 + in.jf();
                        String operand = Bpf.src(code) == Bpf.X ? "x" : "#" + Bpf.hex(k);
                        text = String.format("%s %s, %04d, %04d", jump(code), operand, t, f);
                        if (Bpf.src(code) == Bpf.K) {
                            comment = constantName(held, k, arch, names);
                        }
                        merge(aHolds, t, held);
                        merge(aHolds, f, held);
                        fallsThrough = false;
                    }
                    break;
                case Bpf.RET:
                    fallsThrough = false;
                    if (Bpf.size(code) == Bpf.A) {
                        text = "ret a";
                    } else {
                        Action action = Action.ofReturnValue(k);
                        text = "ret " + (action.returnValue() == k ? action.toString() : "#" + Bpf.hex(k));
                        if (action.type() == Action.Type.ERRNO && Errno.of(action.data()) != null) {
                            comment = Errno.of(action.data()).name();
                        }
                    }
                    break;
                default:
                    if (code == (Bpf.MISC | Bpf.TAX)) {
                        text = "tax";
                        after = held;
                    } else if (code == (Bpf.MISC | Bpf.TXA)) {
                        text = "txa";
                    } else {
                        text = ".insn " + in;
                    }
            }
            if (fallsThrough && pc + 1 < len) {
                merge(aHolds, pc + 1, after);
            }
            String line = String.format("%04d: %s", pc, text);
            if (!comment.isEmpty()) {
                line = String.format("%-42s ; %s", line, comment);
            }
            out.append(line).append('\n');
        }
        return out.toString();
    }

    private static void merge(int[] aHolds, int target, int value) {
        if (target >= aHolds.length) {
            return;
        }
        aHolds[target] = aHolds[target] == UNSET || aHolds[target] == value ? value : UNKNOWN;
    }

    /** The name of the seccomp_data word at {@code offset}. */
    static String field(int offset, boolean le) {
        if (offset == Bpf.DATA_NR) {
            return "nr";
        }
        if (offset == Bpf.DATA_ARCH) {
            return "arch";
        }
        if (offset < Bpf.DATA_ARGS) {
            return "instruction_pointer" + (offset == Bpf.lowWord(Bpf.DATA_IP, le) ? " low" : " high") + " word";
        }
        int i = (offset - Bpf.DATA_ARGS) / 8;
        int base = Bpf.DATA_ARGS + 8 * i;
        return "args[" + i + "]" + (offset == Bpf.lowWord(base, le) ? " low" : " high") + " word";
    }

    private static String constantName(int held, int k, Arch arch, Map<Integer, String> names) {
        if (held == Bpf.DATA_NR) {
            if (arch == Arch.X86_64 && k == Arch.X32_SYSCALL_BIT) {
                return "__X32_SYSCALL_BIT";
            }
            String n = names.get(k);
            return n == null ? "" : n;
        }
        if (held == Bpf.DATA_ARCH) {
            for (Arch a : Arch.values()) {
                if ((int) a.auditArch() == k) {
                    return "AUDIT_ARCH_" + a.name();
                }
            }
        }
        return "";
    }

    private static String jump(int code) {
        switch (Bpf.op(code)) {
            case Bpf.JEQ: return "jeq";
            case Bpf.JGT: return "jgt";
            case Bpf.JGE: return "jge";
            case Bpf.JSET: return "jset";
            default: return "j?" + Bpf.hex(code);
        }
    }

    private static String alu(int code, int k) {
        String op;
        switch (Bpf.op(code)) {
            case Bpf.ADD: op = "add"; break;
            case Bpf.SUB: op = "sub"; break;
            case Bpf.MUL: op = "mul"; break;
            case Bpf.DIV: op = "div"; break;
            case Bpf.AND: op = "and"; break;
            case Bpf.OR: op = "or"; break;
            case Bpf.XOR: op = "xor"; break;
            case Bpf.LSH: op = "lsh"; break;
            case Bpf.RSH: op = "rsh"; break;
            case Bpf.NEG: return "neg";
            default: op = "alu?" + Bpf.hex(code);
        }
        return op + (Bpf.src(code) == Bpf.X ? " x" : " #" + Bpf.hex(k));
    }
}
