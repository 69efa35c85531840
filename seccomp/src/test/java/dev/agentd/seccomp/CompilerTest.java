package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompilerTest {

    @Test
    void compile_startsWithArchCheckThenX32Check() {
        BpfProgram p = Seccomp.agentDefault(Arch.X86_64);
        assertEquals(new BpfInstruction(0x20, 0, 0, 4), p.instruction(0), "ld [4]");
        assertEquals(new BpfInstruction(0x15, 1, 0, 0xc000003e), p.instruction(1), "jeq #AUDIT_ARCH_X86_64");
        assertEquals(new BpfInstruction(0x06, 0, 0, 0x80000000), p.instruction(2), "ret KILL_PROCESS");
        assertEquals(new BpfInstruction(0x20, 0, 0, 0), p.instruction(3), "ld [0]");
        assertEquals(new BpfInstruction(0x35, 0, 1, 0x40000000), p.instruction(4), "jge #X32_SYSCALL_BIT");
        assertEquals(new BpfInstruction(0x06, 0, 0, 0x80000000), p.instruction(5), "ret KILL_PROCESS");
        BpfProgram a = Seccomp.agentDefault(Arch.AARCH64);
        assertEquals(new BpfInstruction(0x15, 1, 0, 0xc00000b7), a.instruction(1));
        assertFalse(a.instruction(4).code() == 0x35 && a.instruction(4).k() == 0x40000000, "no x32 check on aarch64");
    }

    @Test
    void compile_isDeterministic() throws Exception {
        for (Arch arch : Arch.values()) {
            assertEquals(Seccomp.agentDefault(arch), Seccomp.agentDefault(arch));
            assertEquals(Seccomp.compile(TestProfiles.docker(), Target.of(arch)).program(),
                    Seccomp.compile(TestProfiles.docker(), Target.of(arch)).program());
        }
    }

    @Test
    void dispatch_isATreeNotAChain() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = Seccomp.agentDefault(arch);
            int longest = Figures.longestStaticPath(p);
            // 6 prologue + ~log2(ranges) + the longest argument block.
            assertTrue(longest < 40, arch + ": longest path " + longest);
            assertTrue(p.length() < 600, arch + ": " + p.length() + " instructions");
        }
    }

    @Test
    void rulesWithDifferentActions_mostRestrictiveWins_whateverTheOrder() {
        String allow = "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\"}";
        String errno = "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,"
                + "\"args\":[{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}]}";
        String kill = "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_KILL_PROCESS\","
                + "\"args\":[{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_EQ\"}]}";
        String log = "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\","
                + "\"args\":[{\"index\":2,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}";
        List<List<String>> orders = List.of(List.of(allow, errno, kill, log), List.of(log, kill, errno, allow),
                List.of(errno, allow, log, kill));
        for (List<String> order : orders) {
            SeccompProfile p = TestProfiles.parse("{\"defaultAction\":\"SCMP_ACT_TRAP\",\"syscalls\":["
                    + String.join(",", order) + "]}");
            BpfProgram prog = TestProfiles.compile(p, Target.of(Arch.X86_64));
            assertEquals(Action.ALLOW, run(prog, 0, 0, 0));
            assertEquals(Action.errno(5), run(prog, 7, 0, 0));
            assertEquals(Action.KILL_PROCESS, run(prog, 7, 9, 0));
            assertEquals(Action.KILL_PROCESS, run(prog, 0, 9, 1));
            // LOG ranks below ERRNO but above ALLOW.
            assertEquals(Action.LOG, run(prog, 0, 0, 1));
            assertEquals(Action.errno(5), run(prog, 7, 0, 1));
            assertEquals(Action.TRAP, prog.evaluate(SeccompData.of(Arch.X86_64, "getppid")).action());
        }
    }

    private static Action run(BpfProgram p, long a0, long a1, long a2) {
        return p.evaluate(SeccompData.of(Arch.X86_64, "getpid", a0, a1, a2)).action();
    }

    @Test
    void equalRank_firstInFileWins() {
        SeccompProfile p = TestProfiles.parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                + "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
                + "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}");
        BpfProgram prog = TestProfiles.compile(p, Target.of(Arch.AARCH64));
        assertEquals(Action.errno(38), prog.evaluate(SeccompData.of(Arch.AARCH64, "getpid", 1)).action());
        assertEquals(Action.errno(1), prog.evaluate(SeccompData.of(Arch.AARCH64, "getpid", 2)).action());
    }

    @Test
    void everyAction_encodesItsReturnValue() {
        String[][] cases = {
            {"SCMP_ACT_ALLOW", "", "0x7fff0000"},
            {"SCMP_ACT_ERRNO", ",\"errnoRet\":13", "0x0005000d"},
            {"SCMP_ACT_KILL", "", "0x00000000"},
            {"SCMP_ACT_KILL_THREAD", "", "0x00000000"},
            {"SCMP_ACT_KILL_PROCESS", "", "0x80000000"},
            {"SCMP_ACT_TRAP", "", "0x00030000"},
            {"SCMP_ACT_LOG", "", "0x7ffc0000"},
            {"SCMP_ACT_TRACE", ",\"errnoRet\":4242", "0x7ff01092"},
            {"SCMP_ACT_NOTIFY", "", "0x7fc00000"},
        };
        for (String[] c : cases) {
            SeccompProfile p = TestProfiles.parse("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getpid\"],"
                    + "\"action\":\"" + c[0] + "\"" + c[1] + "}]}");
            Evaluation e = TestProfiles.compile(p, Target.of(Arch.X86_64)).evaluate(SeccompData.of(Arch.X86_64, "getpid"));
            assertEquals(Integer.parseUnsignedInt(c[2].substring(2), 16), e.returnValue(), c[0]);
        }
    }

    @Test
    void farTargets_goThroughTrampolines_andStayCorrect() {
        // One argument rule per syscall makes subtrees far longer than the
        // 255 instructions a conditional jump reaches.
        List<SeccompProfile.Rule> rules = new ArrayList<>();
        for (String n : Arch.X86_64.syscallNames()) {
            int nr = Arch.X86_64.syscallNumber(n).getAsInt();
            rules.add(SeccompProfile.Rule.of(Action.ALLOW, n).withArgs(SeccompProfile.Arg.of(0, SeccompProfile.Op.EQ, nr)));
        }
        SeccompProfile p = SeccompProfile.of(Action.errno(1), rules);
        Target t = Target.of(Arch.X86_64);
        BpfProgram prog = TestProfiles.compile(p, t);
        assertTrue(prog.length() > 1000, "length " + prog.length());
        boolean sawJa = prog.instructions().stream().anyMatch(i -> i.code() == (Bpf.JMP | Bpf.JA));
        assertTrue(sawJa, "expected ja trampolines");
        for (int nr : Figures.interestingNumbers(Arch.X86_64)) {
            for (long a0 : new long[] {nr, nr + 1, 0}) {
                SeccompData d = SeccompData.of(Arch.X86_64, nr, a0);
                assertEquals(Reference.evaluate(p, t, d), prog.evaluate(d).action(), d::toString);
            }
        }
    }

    @Test
    void tooLarge_isRefusedWithTheLimitInTheMessage() {
        List<SeccompProfile.Rule> rules = new ArrayList<>();
        for (String n : Arch.AARCH64.syscallNames()) {
            int nr = Arch.AARCH64.syscallNumber(n).getAsInt();
            for (int i = 0; i < 3; i++) {
                // Values differ per syscall, so no two numbers share a block.
                rules.add(SeccompProfile.Rule.of(Action.ALLOW, n).withArgs(
                        SeccompProfile.Arg.of(0, SeccompProfile.Op.EQ, nr * 3 + i), SeccompProfile.Arg.of(1, SeccompProfile.Op.GT, i)));
            }
        }
        CompileException e = assertThrows(CompileException.class,
                () -> Seccomp.compile(SeccompProfile.of(Action.errno(1), rules), Target.of(Arch.AARCH64)));
        assertTrue(e.getMessage().contains("BPF_MAXINSNS = 4096"), e.getMessage());
        assertTrue(e.instructions() > 4096);
        assertEquals(Arch.AARCH64, e.arch());
    }

    @Test
    void report_namesSkippedNamesLeftOutRulesAndNotes() throws Exception {
        CompileReport r = Seccomp.compile(TestProfiles.docker(), Target.of(Arch.X86_64)).report();
        assertTrue(r.skippedNames().contains(new CompileReport.SkippedName("chown32", "syscalls[0].names[13]")),
                r.skippedNames().toString());
        assertTrue(r.leftOutRules().stream().anyMatch(l -> l.location().equals("syscalls[17]")
                && l.reason().contains("includes.caps needs CAP_SYS_ADMIN")), r.leftOutRules().toString());
        assertTrue(r.leftOutRules().stream().anyMatch(l -> l.location().equals("syscalls[11]")
                && l.reason().contains("includes.arches")), r.leftOutRules().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("SCMP_ARCH_X86") && n.contains("not honoured")), r.notes().toString());
        assertTrue(r.notes().stream().anyMatch(n -> n.contains("minKernel")), r.notes().toString());
        assertEquals(r.instructions(), Seccomp.compile(TestProfiles.docker(), Target.of(Arch.X86_64)).program().length());
        assertTrue(r.summary().contains("instructions"), r.summary());

        CompileReport agent = Seccomp.compile(SeccompProfiles.agentDefault(), Target.of(Arch.X86_64)).report();
        assertEquals(List.of(), agent.skippedNames(), "agent-default names only x86_64/aarch64 syscalls");
        assertTrue(agent.syscallsWithRules() >= 295, agent.summary());
        CompileReport agentArm = Seccomp.compile(SeccompProfiles.agentDefault(), Target.of(Arch.AARCH64)).report();
        assertTrue(agentArm.skippedNames().stream().anyMatch(s -> s.name().equals("arch_prctl")), agentArm.summary());
    }

    @Test
    void toBytes_fromBytes_roundTrip() {
        BpfProgram p = Seccomp.agentDefault(Arch.X86_64);
        for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] b = p.toBytes(order);
            assertEquals(p.length() * 8, b.length);
            assertEquals(p, BpfProgram.fromBytes(b, order, Arch.X86_64));
        }
        byte[] le = p.toBytes(ByteOrder.LITTLE_ENDIAN);
        // struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }: ld [4] = 20 00 00 00 04 00 00 00
        assertEquals(0x20, le[0]);
        assertEquals(0x00, le[1]);
        assertEquals(0x04, le[4]);
    }
}
