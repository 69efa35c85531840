package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The interpreter runs seccomp's subset of classic BPF and the verifier refuses the rest. */
class InterpreterTest {
    static final int LD_ABS = 0x20;
    static final int LD_IMM = 0x00;
    static final int LD_MEM = 0x60;
    static final int LD_LEN = 0x80;
    static final int LDX_IMM = 0x01;
    static final int LDX_MEM = 0x61;
    static final int LDX_LEN = 0x81;
    static final int ST = 0x02;
    static final int STX = 0x03;
    static final int RET_K = 0x06;
    static final int RET_A = 0x16;
    static final int TAX = 0x07;
    static final int TXA = 0x87;
    static final int JA = 0x05;

    static BpfInstruction i(int code, int k) {
        return new BpfInstruction(code, 0, 0, k);
    }

    static BpfInstruction j(int code, int jt, int jf, int k) {
        return new BpfInstruction(code, jt, jf, k);
    }

    static BpfProgram prog(BpfInstruction... in) {
        return new BpfProgram(Arch.X86_64, Arrays.asList(in));
    }

    static int run(BpfProgram p, SeccompData d) {
        return p.evaluate(d).returnValue();
    }

    static final SeccompData DATA = new SeccompData(59, (int) Arch.X86_64.auditArch(), 0x1122334455667788L,
            0x0000000500000007L, 0xffffffffffffffffL, 3, 4, 5, 0x600000006L);

    @Test
    void loads_readSeccompDataWords() {
        int[][] cases = {{0, 59}, {4, (int) Arch.X86_64.auditArch()}, {8, 0x55667788}, {12, 0x11223344},
            {16, 7}, {20, 5}, {24, -1}, {28, -1}, {56, 6}, {60, 6}};
        for (int[] c : cases) {
            assertEquals(c[1], run(prog(i(LD_ABS, c[0]), i(RET_A, 0)), DATA), "ld [" + c[0] + "]");
        }
        assertEquals(64, run(prog(i(LD_LEN, 0), i(RET_A, 0)), DATA), "ld #len");
        assertEquals(64, run(prog(i(LDX_LEN, 0), i(TXA, 0), i(RET_A, 0)), DATA), "ldx #len");
        assertEquals(0x1234, run(prog(i(LD_IMM, 0x1234), i(RET_A, 0)), DATA));
    }

    @Test
    void alu_isUnsigned32Bit() {
        int[][] cases = {
            {0x04, 5, 10, 15}, {0x14, 5, 10, -5}, {0x24, 0x10000, 0x10000, 0}, {0x34, -1, 2, 0x7fffffff},
            {0x54, 0xff0, 0x0ff, 0x0f0}, {0x44, 0xf00, 0x0f0, 0xff0}, {0xa4, 0xff, 0x0f, 0xf0},
            {0x64, 1, 31, 0x80000000}, {0x74, 0x80000000, 31, 1},
        };
        for (int[] c : cases) {
            // A = c[1]; A op= K(c[2])
            assertEquals(c[3], run(prog(i(LD_IMM, c[1]), i(c[0], c[2]), i(RET_A, 0)), DATA), "K op " + Integer.toHexString(c[0]));
            // X = c[2]; A op= X
            assertEquals(c[3], run(prog(i(LDX_IMM, c[2]), i(LD_IMM, c[1]), i(c[0] | 0x08, 0), i(RET_A, 0)), DATA),
                    "X op " + Integer.toHexString(c[0]));
        }
        assertEquals(-7, run(prog(i(LD_IMM, 7), i(0x84, 0), i(RET_A, 0)), DATA), "neg");
        // Division by an X of 0 ends the program with 0 (SECCOMP_RET_KILL_THREAD).
        Evaluation e = prog(i(LDX_IMM, 0), i(LD_IMM, 9), i(0x3c, 0), i(RET_K, 0x7fff0000)).evaluate(DATA);
        assertEquals(0, e.returnValue());
        assertEquals(Action.KILL_THREAD, e.action());
    }

    @Test
    void jumps_compareUnsigned_withKAndX() {
        // jgt #1 with A = 0xffffffff is taken (unsigned).
        BpfProgram jgt = prog(i(LD_IMM, -1), j(0x25, 1, 0, 1), i(RET_K, 1), i(RET_K, 2));
        assertEquals(2, run(jgt, DATA));
        BpfProgram jge = prog(i(LD_IMM, 5), j(0x35, 0, 1, 5), i(RET_K, 1), i(RET_K, 2));
        assertEquals(1, run(jge, DATA));
        BpfProgram jset = prog(i(LD_IMM, 0x10), j(0x45, 0, 1, 0x30), i(RET_K, 1), i(RET_K, 2));
        assertEquals(1, run(jset, DATA));
        BpfProgram jeqX = prog(i(LDX_IMM, 59), i(LD_ABS, 0), j(0x1d, 0, 1, 0), i(RET_K, 1), i(RET_K, 2));
        assertEquals(1, run(jeqX, DATA));
        BpfProgram jgtX = prog(i(LDX_IMM, 60), i(LD_ABS, 0), j(0x2d, 0, 1, 0), i(RET_K, 1), i(RET_K, 2));
        assertEquals(2, run(jgtX, DATA));
        BpfProgram jgeX = prog(i(LDX_IMM, 59), i(LD_ABS, 0), j(0x3d, 0, 1, 0), i(RET_K, 1), i(RET_K, 2));
        assertEquals(1, run(jgeX, DATA));
        BpfProgram jsetX = prog(i(LDX_IMM, 4), i(LD_ABS, 0), j(0x4d, 0, 1, 0), i(RET_K, 1), i(RET_K, 2));
        assertEquals(2, run(jsetX, DATA), "59 & 4 == 0");
        BpfProgram ja = prog(i(JA, 1), i(RET_K, 1), i(RET_K, 2));
        Evaluation e = ja.evaluate(DATA);
        assertEquals(2, e.returnValue());
        assertEquals(2, e.steps(), "ja and ret");
    }

    @Test
    void scratchMemory_andTaxTxa() {
        BpfProgram p = prog(i(LD_IMM, 41), i(ST, 3), i(LDX_IMM, 1), i(STX, 15), i(LD_MEM, 15), i(TAX, 0),
                i(LD_MEM, 3), i(0x0c, 0), i(RET_A, 0));
        assertEquals(42, run(p, DATA));
        BpfProgram q = prog(i(LDX_IMM, 7), i(STX, 0), i(LDX_MEM, 0), i(TXA, 0), i(RET_A, 0));
        assertEquals(7, run(q, DATA));
    }

    @Test
    void verifier_refusesWhatTheKernelRefuses() {
        List<BpfInstruction[]> bad = new ArrayList<>();
        bad.add(new BpfInstruction[] {i(0x28, 0), i(RET_K, 0)});            // ld h [0]: only word loads
        bad.add(new BpfInstruction[] {i(0x30, 0), i(RET_K, 0)});            // ld b [0]
        bad.add(new BpfInstruction[] {i(0x40, 0), i(RET_K, 0)});            // ld [x + k]: no indirect loads
        bad.add(new BpfInstruction[] {i(0xb1, 0), i(RET_K, 0)});            // ldx msh
        bad.add(new BpfInstruction[] {i(0x94, 3), i(RET_K, 0)});            // mod: not in seccomp's list
        bad.add(new BpfInstruction[] {i(LD_ABS, 2), i(RET_K, 0)});          // unaligned
        bad.add(new BpfInstruction[] {i(LD_ABS, 64), i(RET_K, 0)});         // past seccomp_data
        bad.add(new BpfInstruction[] {i(0x34, 0), i(RET_K, 0)});            // div #0
        bad.add(new BpfInstruction[] {i(0x64, 32), i(RET_K, 0)});           // lsh #32
        bad.add(new BpfInstruction[] {i(ST, 16), i(RET_K, 0)});             // no M[16]
        bad.add(new BpfInstruction[] {i(LD_MEM, 0), i(RET_K, 0)});          // read before write
        bad.add(new BpfInstruction[] {i(LD_IMM, 0), j(0x15, 0, 1, 0), i(ST, 1), i(LD_MEM, 1), i(RET_A, 0)}); // only on one path
        bad.add(new BpfInstruction[] {i(JA, 5), i(RET_K, 0)});              // jumps out
        bad.add(new BpfInstruction[] {j(0x15, 3, 0, 0), i(RET_K, 0)});      // jumps out
        bad.add(new BpfInstruction[] {i(LD_IMM, 0)});                       // no ret at the end
        bad.add(new BpfInstruction[] {});                                   // empty
        bad.add(new BpfInstruction[] {i(0x0e, 0), i(RET_K, 0)});            // ret x is not seccomp's
        bad.add(new BpfInstruction[] {i(0xa7, 0), i(RET_K, 0)});            // misc other than tax/txa
        for (BpfInstruction[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> prog(b), Arrays.toString(b));
            assertTrue(e.getMessage().startsWith("invalid seccomp filter") || e.getMessage().contains("1..4096"), e.getMessage());
        }
        BpfInstruction[] tooLong = new BpfInstruction[4097];
        Arrays.fill(tooLong, i(RET_K, 0));
        assertThrows(IllegalArgumentException.class, () -> prog(tooLong));
        BpfInstruction[] longest = new BpfInstruction[4096];
        Arrays.fill(longest, i(RET_K, 0));
        assertEquals(4096, prog(longest).length());
    }

    @Test
    void fromBytes_refusesPartialInstructions() {
        assertThrows(IllegalArgumentException.class,
                () -> BpfProgram.fromBytes(new byte[12], java.nio.ByteOrder.LITTLE_ENDIAN, Arch.X86_64));
    }

    @Test
    void actions_decodeLikeTheKernel() {
        assertEquals(Action.errno(13), Action.ofReturnValue(0x0005000d));
        assertEquals(Action.trace(7), Action.ofReturnValue(0x7ff00007));
        assertEquals(new Action(Action.Type.TRAP, 3), Action.ofReturnValue(0x00030003));
        assertEquals(Action.KILL_PROCESS, Action.ofReturnValue(0x80000000));
        assertEquals(Action.KILL_THREAD, Action.ofReturnValue(0));
        // Unknown actions are treated as KILL_PROCESS (kernel/seccomp.c __seccomp_filter).
        assertEquals(Action.KILL_PROCESS, Action.ofReturnValue(0x00010000));
        assertEquals("ERRNO(1)", Action.errno(1).toString());
        assertEquals("ALLOW", Action.ALLOW.toString());
    }
}
