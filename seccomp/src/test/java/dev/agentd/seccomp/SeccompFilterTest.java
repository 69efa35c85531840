package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The installer's checks that need no kernel. */
class SeccompFilterTest {

    @Test
    void compiledPrograms_passTheShapeCheck() {
        for (Arch arch : Arch.values()) {
            SeccompFilter.checkProducedByCompiler(Seccomp.agentDefault(arch), arch);
        }
    }

    @Test
    void programForAnotherArch_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompFilter.checkProducedByCompiler(Seccomp.agentDefault(Arch.AARCH64), Arch.X86_64));
        assertTrue(e.getMessage().contains("compiled for AARCH64"), e.getMessage());
    }

    @Test
    void programWithoutArchCheck_isRefused() {
        BpfProgram allowAll = new BpfProgram(Arch.X86_64, List.of(new BpfInstruction(0x06, 0, 0, 0x7fff0000)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeccompFilter.checkProducedByCompiler(allowAll, Arch.X86_64));
        assertTrue(e.getMessage().contains("architecture and x32 checks"), e.getMessage());
        // The arch check alone is not enough on x86_64: the x32 check must follow.
        List<BpfInstruction> noX32 = new ArrayList<>(Seccomp.agentDefault(Arch.AARCH64).instructions());
        noX32.set(1, new BpfInstruction(0x15, 1, 0, (int) Arch.X86_64.auditArch()));
        BpfProgram p = new BpfProgram(Arch.X86_64, noX32);
        assertThrows(IllegalArgumentException.class, () -> SeccompFilter.checkProducedByCompiler(p, Arch.X86_64));
    }

    @Test
    void actions_areReadFromTheReturns() {
        assertEquals(EnumSet.of(Action.Type.ALLOW, Action.Type.ERRNO, Action.Type.KILL_PROCESS),
                SeccompFilter.actions(Seccomp.agentDefault(Arch.X86_64)));
    }
}
