package dev.agentd.seccomp;

/**
 * Runs a verified classic BPF program the way the kernel runs a seccomp
 * filter: A and X start at 0, arithmetic is unsigned 32-bit, {@code ld [k]}
 * reads {@code struct seccomp_data}, a division by an X of 0 ends the program
 * with 0 (the classic-BPF rule kept by {@code bpf_convert_filter}).
 */
final class Interpreter {
    private Interpreter() {}

    static Evaluation run(BpfProgram program, SeccompData data) {
        boolean le = program.littleEndian();
        int a = 0;
        int x = 0;
        int[] mem = new int[Bpf.MEMWORDS];
        int pc = 0;
        int steps = 0;
        while (true) {
            BpfInstruction in = program.instruction(pc);
            steps++;
            int code = in.code();
            int k = in.k();
            pc++;
            switch (Bpf.cls(code)) {
                case Bpf.LD:
                    switch (Bpf.mode(code)) {
                        case Bpf.ABS: a = data.word(k, le); break;
                        case Bpf.LEN: a = Bpf.DATA_SIZE; break;
                        case Bpf.IMM: a = k; break;
                        case Bpf.MEM: a = mem[k]; break;
                        default: throw unsupported(pc - 1, in);
                    }
                    break;
                case Bpf.LDX:
                    switch (Bpf.mode(code)) {
                        case Bpf.LEN: x = Bpf.DATA_SIZE; break;
                        case Bpf.IMM: x = k; break;
                        case Bpf.MEM: x = mem[k]; break;
                        default: throw unsupported(pc - 1, in);
                    }
                    break;
                case Bpf.ST:
                    mem[k] = a;
                    break;
                case Bpf.STX:
                    mem[k] = x;
                    break;
                case Bpf.ALU: {
                    int operand = Bpf.src(code) == Bpf.X ? x : k;
                    switch (Bpf.op(code)) {
                        case Bpf.ADD: a += operand; break;
                        case Bpf.SUB: a -= operand; break;
                        case Bpf.MUL: a *= operand; break;
                        case Bpf.DIV:
                            if (operand == 0) {
                                return new Evaluation(0, Action.ofReturnValue(0), steps);
                            }
                            a = Integer.divideUnsigned(a, operand);
                            break;
                        case Bpf.AND: a &= operand; break;
                        case Bpf.OR: a |= operand; break;
                        case Bpf.XOR: a ^= operand; break;
                        // Java masks the shift count to 5 bits, as x86 and arm64 do for 32-bit shifts.
                        case Bpf.LSH: a <<= operand; break;
                        case Bpf.RSH: a >>>= operand; break;
                        case Bpf.NEG: a = -a; break;
                        default: throw unsupported(pc - 1, in);
                    }
                    break;
                }
                case Bpf.JMP: {
                    if (Bpf.op(code) == Bpf.JA) {
                        pc += k;
                        break;
                    }
                    int operand = Bpf.src(code) == Bpf.X ? x : k;
                    boolean taken;
                    switch (Bpf.op(code)) {
                        case Bpf.JEQ: taken = a == operand; break;
                        case Bpf.JGT: taken = Integer.compareUnsigned(a, operand) > 0; break;
                        case Bpf.JGE: taken = Integer.compareUnsigned(a, operand) >= 0; break;
                        case Bpf.JSET: taken = (a & operand) != 0; break;
                        default: throw unsupported(pc - 1, in);
                    }
                    pc += taken ? in.jt() : in.jf();
                    break;
                }
                case Bpf.RET: {
                    int ret = Bpf.size(code) == Bpf.A ? a : k;
                    return new Evaluation(ret, Action.ofReturnValue(ret), steps);
                }
                case Bpf.MISC:
                    if (code == (Bpf.MISC | Bpf.TAX)) {
                        x = a;
                    } else if (code == (Bpf.MISC | Bpf.TXA)) {
                        a = x;
                    } else {
                        throw unsupported(pc - 1, in);
                    }
                    break;
                default:
                    throw unsupported(pc - 1, in);
            }
        }
    }

    /** Unreachable for a verified program; kept so a gap in the verifier cannot turn into a wrong answer. */
    private static IllegalStateException unsupported(int pc, BpfInstruction in) {
        return new IllegalStateException(String.format("instruction %04d %s is not seccomp BPF", pc, in));
    }
}
