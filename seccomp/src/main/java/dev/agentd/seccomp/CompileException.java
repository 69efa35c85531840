package dev.agentd.seccomp;

import dev.agentd.linux.Arch;

/**
 * A valid profile that cannot become a seccomp filter for the target, e.g.
 * because the program would be longer than the kernel accepts.
 */
public final class CompileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Arch arch;
    private final int instructions;

    CompileException(Arch arch, int instructions, String message) {
        super(message);
        this.arch = arch;
        this.instructions = instructions;
    }

    /** The target architecture. */
    public Arch arch() {
        return arch;
    }

    /** How long the program came out, or -1 when compilation stopped earlier. */
    public int instructions() {
        return instructions;
    }
}
