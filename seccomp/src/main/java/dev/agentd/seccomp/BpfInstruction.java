package dev.agentd.seccomp;

/**
 * One classic BPF instruction, {@code struct sock_filter} of Linux uapi
 * {@code include/uapi/linux/filter.h}: a 16-bit opcode, two 8-bit jump
 * offsets and a 32-bit constant.
 *
 * @param code the opcode (class | size/op | mode/src)
 * @param jt   instructions to skip when a conditional jump is taken (0..255)
 * @param jf   instructions to skip when it is not (0..255)
 * @param k    the constant operand, an unsigned 32-bit value held in an int
 */
public record BpfInstruction(int code, int jt, int jf, int k) {
    /** Checks that each field fits its width in {@code struct sock_filter}. */
    public BpfInstruction {
        if ((code & ~0xffff) != 0) {
            throw new IllegalArgumentException("opcode must fit 16 bits: " + code);
        }
        if ((jt & ~0xff) != 0 || (jf & ~0xff) != 0) {
            throw new IllegalArgumentException("jump offsets must fit 8 bits: jt=" + jt + ", jf=" + jf);
        }
    }

    static BpfInstruction stmt(int code, int k) {
        return new BpfInstruction(code, 0, 0, k);
    }

    @Override
    public String toString() {
        return String.format("{ 0x%02x, %d, %d, 0x%08x }", code, jt, jf, k);
    }
}
