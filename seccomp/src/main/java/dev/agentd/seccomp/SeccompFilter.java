package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import dev.agentd.linux.Fd;
import dev.agentd.linux.Prctl;
import dev.agentd.linux.SeccompSyscall;
import dev.agentd.linux.SyscallException;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Installs a compiled filter on the calling thread.
 *
 * <p>Only the <em>calling thread</em> is filtered ({@code SECCOMP_FILTER_FLAG_TSYNC}
 * is never passed), for life, and every process it spawns afterwards
 * inherits the filter. agentd's pattern (kernel-facts.md, "Why a JVM cannot
 * simply fork") is a fresh, single-use platform thread that restricts
 * itself, {@code posix_spawn}s the agent and ends; the JVM's other threads
 * stay unfiltered. Do on that thread, before installing, everything that
 * would need a denied call later (e.g. {@code ProcessSyscall.warmUp()}).
 *
 * <p>The installer loads only what the compiler would produce: a
 * {@link BpfProgram} (verified against the kernel's rules when it was made)
 * for {@link Arch#current()} that starts with the architecture check —
 * {@code ld [4]; jeq #AUDIT_ARCH; ret KILL_PROCESS; ld [0]} and, on x86_64,
 * the x32 check.
 */
public final class SeccompFilter {
    private SeccompFilter() {}

    private static final int LD_ABS = Bpf.LD | Bpf.W | Bpf.ABS;
    private static final int RET_K = Bpf.RET | Bpf.K;

    /**
     * Installs {@code program} on the calling thread.
     *
     * <p>Sets no_new_privs on the thread first when it is not set: the kernel
     * accepts a filter from a thread without CAP_SYS_ADMIN only under
     * no_new_privs (a filter could otherwise make a setuid program fail in
     * ways that serve an attacker), and agentd wants no_new_privs for its
     * agents anyway. It cannot be undone, like the filter.
     *
     * @return the user-notification listener when the program has a NOTIFY action
     *         ({@code SECCOMP_FILTER_FLAG_NEW_LISTENER} is then passed)
     * @throws IllegalArgumentException     when the program is for another architecture or does not start
     *                                      with the compiler's architecture check
     * @throws SeccompUnavailableException  when the kernel lacks seccomp filters or an action the program uses
     * @throws SyscallException             when prctl or seccomp fails
     */
    public static Optional<Fd> installOnCurrentThread(BpfProgram program)
            throws SeccompUnavailableException, SyscallException {
        checkProducedByCompiler(program, Arch.current());
        if (!SeccompSyscall.filterAvailable()) {
            throw new SeccompUnavailableException("seccomp filters are unavailable: SECCOMP_GET_ACTION_AVAIL failed"
                    + " — is the kernel built with CONFIG_SECCOMP_FILTER?");
        }
        Set<Action.Type> actions = actions(program);
        for (Action.Type t : actions) {
            if (!SeccompSyscall.actionAvailable(t.value())) {
                throw new SeccompUnavailableException("the kernel lacks seccomp action " + t.scmpName()
                        + " (SECCOMP_RET value " + Bpf.hex(t.value()) + "), which the filter uses");
            }
        }
        // Order matters: no_new_privs before seccomp, or the kernel refuses
        // the filter with EACCES on a thread without CAP_SYS_ADMIN.
        if (!Prctl.noNewPrivs()) {
            Prctl.setNoNewPrivs();
        }
        int flags = actions.contains(Action.Type.NOTIFY) ? SeccompSyscall.FLAG_NEW_LISTENER : 0;
        return SeccompSyscall.setModeFilter(program.toBytes(ByteOrder.nativeOrder()), flags);
    }

    /** Whether seccomp filters work on this kernel. */
    public static boolean isAvailable() {
        return SeccompSyscall.filterAvailable();
    }

    /**
     * Checks the shape every compiled program has, so that bytes from
     * elsewhere that skip the architecture check are never loaded.
     */
    static void checkProducedByCompiler(BpfProgram p, Arch running) {
        if (p.arch() != running) {
            throw new IllegalArgumentException("the filter was compiled for " + p.arch() + ", this machine is " + running);
        }
        boolean ok = p.length() >= 4
                && p.instruction(0).equals(BpfInstruction.stmt(LD_ABS, Bpf.DATA_ARCH))
                && p.instruction(1).equals(new BpfInstruction(Bpf.JMP | Bpf.JEQ | Bpf.K, 1, 0, (int) running.auditArch()))
                && p.instruction(2).equals(BpfInstruction.stmt(RET_K, Action.KILL_PROCESS.returnValue()))
                && p.instruction(3).equals(BpfInstruction.stmt(LD_ABS, Bpf.DATA_NR));
        if (ok && running == Arch.X86_64) {
            ok = p.length() >= 6
                    && p.instruction(4).equals(new BpfInstruction(Bpf.JMP | Bpf.JGE | Bpf.K, 0, 1, Arch.X32_SYSCALL_BIT))
                    && p.instruction(5).equals(BpfInstruction.stmt(RET_K, Action.KILL_PROCESS.returnValue()));
        }
        if (!ok) {
            throw new IllegalArgumentException("refusing to install a filter that does not start with the architecture"
                    + (running == Arch.X86_64 ? " and x32 checks" : " check") + " Seccomp.compile emits");
        }
    }

    /** The actions the program's {@code ret #k} instructions return. */
    static Set<Action.Type> actions(BpfProgram p) {
        Set<Action.Type> s = EnumSet.noneOf(Action.Type.class);
        for (BpfInstruction in : p.instructions()) {
            if (in.code() == RET_K) {
                s.add(Action.ofReturnValue(in.k()).type());
            }
        }
        return s;
    }
}
