package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisassemblerTest {

    @Test
    void dump_readsLikeTheKernelsBpfDbg() {
        SeccompProfile p = TestProfiles.parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                + "{\"names\":[\"execve\"],\"action\":\"SCMP_ACT_ALLOW\"},"
                + "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
                + "\"args\":[{\"index\":1,\"value\":4294967295,\"valueTwo\":21522,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
                + "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\"}]}");
        String dump = TestProfiles.compile(p, Target.of(Arch.X86_64)).dump();
        List<String> lines = dump.lines().toList();
        assertEquals("; seccomp filter for x86_64, " + (lines.size() - 1) + " instructions", lines.get(0));
        assertEquals("0000: ld [4]                               ; arch", lines.get(1));
        assertEquals("0001: jeq #0xc000003e, 0003, 0002          ; AUDIT_ARCH_X86_64", lines.get(2));
        assertEquals("0002: ret KILL_PROCESS", lines.get(3));
        assertEquals("0003: ld [0]                               ; nr", lines.get(4));
        assertEquals("0004: jge #0x40000000, 0005, 0006          ; __X32_SYSCALL_BIT", lines.get(5));
        assertTrue(dump.contains("; execve\n"), dump);
        assertTrue(dump.contains("; ioctl\n"), dump);
        assertTrue(dump.matches("(?s).*: ld \\[24\\] +; args\\[1\\] low word\n.*"), dump);
        assertTrue(dump.contains("jeq #0x5412, "), dump);
        assertTrue(dump.matches("(?s).*: ret ERRNO\\(1\\) +; EPERM\n.*"), dump);
        assertTrue(dump.contains("ret ALLOW"), dump);
    }

    @Test
    void dump_ofHandWrittenProgram_showsEveryForm() {
        BpfProgram p = new BpfProgram(Arch.AARCH64, List.of(
                new BpfInstruction(0x20, 0, 0, 20),      // ld [20]
                new BpfInstruction(0x54, 0, 0, 0xff),    // and #0xff
                new BpfInstruction(0x02, 0, 0, 1),       // st M[1]
                new BpfInstruction(0x07, 0, 0, 0),       // tax
                new BpfInstruction(0x61, 0, 0, 1),       // ldx M[1]
                new BpfInstruction(0x1d, 0, 1, 0),       // jeq x
                new BpfInstruction(0x05, 0, 0, 0),       // ja
                new BpfInstruction(0x16, 0, 0, 0)));     // ret a
        String dump = p.dump();
        assertTrue(dump.contains("0000: ld [20]                              ; args[0] high word"), dump);
        assertTrue(dump.contains("0001: and #0xff"), dump);
        assertTrue(dump.contains("0002: st M[1]"), dump);
        assertTrue(dump.contains("0003: tax"), dump);
        assertTrue(dump.contains("0004: ldx M[1]"), dump);
        assertTrue(dump.contains("0005: jeq x, 0006, 0007"), dump);
        assertTrue(dump.contains("0006: ja 0007"), dump);
        assertTrue(dump.contains("0007: ret a"), dump);
    }
}
