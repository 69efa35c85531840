package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.Optional;
import java.util.Set;

/**
 * Entry point: compile a {@link SeccompProfile} into a {@link BpfProgram},
 * in pure Java, without touching the kernel.
 *
 * <pre>{@code
 * SeccompProfile profile = SeccompProfiles.agentDefault();
 * Compilation c = Seccomp.compile(profile, Target.of(Arch.X86_64));
 * System.out.print(c.program().dump());
 * Evaluation e = c.program().evaluate(SeccompData.of(Arch.X86_64, "unshare", 0x10000000L));
 * // e.action() is ERRNO(1)
 * }</pre>
 */
public final class Seccomp {
    private Seccomp() {}

    /**
     * Compiles {@code profile} for {@code target}.
     *
     * @throws CompileException when the program would exceed the kernel's
     *         4096-instruction limit
     */
    public static Compilation compile(SeccompProfile profile, Target target) throws CompileException {
        return Compiler.compile(profile, target);
    }

    /**
     * Compiles {@code profile} for {@code arch} and a process holding
     * {@code capabilities}; every {@code minKernel} condition is taken as met.
     */
    public static Compilation compile(SeccompProfile profile, Arch arch, Set<String> capabilities) throws CompileException {
        return Compiler.compile(profile, new Target(arch, capabilities, Optional.empty()));
    }

    /** The built-in {@code agent-default} profile compiled for {@code arch} and no capabilities. */
    public static BpfProgram agentDefault(Arch arch) {
        try {
            return compile(SeccompProfiles.agentDefault(), Target.of(arch)).program();
        } catch (CompileException e) {
            throw new IllegalStateException("the built-in agent-default profile does not compile: " + e.getMessage(), e);
        }
    }
}
