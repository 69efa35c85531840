package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable classic BPF program for one architecture that passed the
 * kernel's seccomp checks (see {@link #fromBytes}). Produced by
 * {@link Seccomp#compile}; installed by {@link SeccompFilter}.
 */
public final class BpfProgram {
    private final Arch arch;
    private final BpfInstruction[] instructions;

    BpfProgram(Arch arch, List<BpfInstruction> instructions) {
        this.arch = arch;
        this.instructions = instructions.toArray(new BpfInstruction[0]);
        Verifier.verify(this.instructions);
    }

    /**
     * Reads a program of 8-byte {@code struct sock_filter} entries (u16 code,
     * u8 jt, u8 jf, u32 k) in {@code order}, e.g. one dumped by another tool.
     *
     * @throws IllegalArgumentException when the bytes are not a whole number
     *         of instructions or the kernel would refuse the program (the
     *         message names the instruction and the rule it breaks)
     */
    public static BpfProgram fromBytes(byte[] bytes, ByteOrder order, Arch arch) {
        if (bytes.length % 8 != 0) {
            throw new IllegalArgumentException("a BPF program is a multiple of 8 bytes, got " + bytes.length);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        BpfInstruction[] in = new BpfInstruction[bytes.length / 8];
        for (int i = 0; i < in.length; i++) {
            in[i] = new BpfInstruction(Short.toUnsignedInt(b.getShort()), Byte.toUnsignedInt(b.get()),
                    Byte.toUnsignedInt(b.get()), b.getInt());
        }
        return new BpfProgram(arch, Arrays.asList(in));
    }

    /** The architecture the program was compiled for: the only one it lets through. */
    public Arch arch() {
        return arch;
    }

    /** Number of instructions. */
    public int length() {
        return instructions.length;
    }

    /** Instruction {@code index}. */
    public BpfInstruction instruction(int index) {
        return instructions[index];
    }

    /** All instructions, in order. */
    public List<BpfInstruction> instructions() {
        return List.of(instructions);
    }

    /**
     * The program as {@code struct sock_filter[]} in {@code order}; the
     * kernel wants {@link ByteOrder#nativeOrder()}.
     */
    public byte[] toBytes(ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(instructions.length * 8).order(order);
        for (BpfInstruction in : instructions) {
            b.putShort((short) in.code()).put((byte) in.jt()).put((byte) in.jf()).putInt(in.k());
        }
        return b.array();
    }

    /**
     * Dry-runs one system call through the program, as the kernel would.
     * {@code ld [k]} reads {@code data} laid out in the byte order of
     * {@link #arch()}.
     */
    public Evaluation evaluate(SeccompData data) {
        return Interpreter.run(this, data);
    }

    /** A readable listing, one instruction per line, with jump targets and field and syscall names. */
    public String dump() {
        return Disassembler.dump(this);
    }

    boolean littleEndian() {
        return (arch.auditArch() & Bpf.AUDIT_ARCH_LE) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfProgram p && p.arch == arch && Arrays.equals(p.instructions, instructions);
    }

    @Override
    public int hashCode() {
        return 31 * arch.hashCode() + Arrays.hashCode(instructions);
    }

    @Override
    public String toString() {
        return "BpfProgram[" + arch + ", " + instructions.length + " instructions]";
    }
}
