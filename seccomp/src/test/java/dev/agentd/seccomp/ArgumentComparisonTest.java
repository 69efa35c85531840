package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.agentd.linux.Arch;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * 64-bit argument comparisons, exhaustively around word boundaries, for
 * every op and every argument index, checked against {@link Reference#holds}
 * (BigInteger arithmetic).
 */
class ArgumentComparisonTest {
    /** Constants at the edges of the two 32-bit words. */
    static final long[] CONSTANTS = {
        0L, 1L, 2L, 0x5412L, 0x7fffffffL, 0x80000000L, 0xfffffffeL, 0xffffffffL,
        0x100000000L, 0x100000001L, 0x1fffffffeL, 0x1ffffffffL, 0x7fffffffffffffffL, 0x8000000000000000L,
        0xffffffff00000000L, 0xfffffffffffffffeL, -1L, 0x123456789abcdef0L, 0x7e020000L,
    };

    static Set<Long> values() {
        Set<Long> s = new LinkedHashSet<>();
        for (long c : CONSTANTS) {
            for (long d : new long[] {0, 1, -1, 1L << 32, -(1L << 32), (1L << 32) + 1, (1L << 32) - 1}) {
                s.add(c + d);
            }
        }
        return s;
    }

    private static final Set<Long> VALUES = values();

    @Test
    void orderedAndEqualityOps_everyConstant_everyIndex() {
        int index = 0;
        for (SeccompProfile.Op op : SeccompProfile.Op.values()) {
            if (op == SeccompProfile.Op.MASKED_EQ) {
                continue;
            }
            for (long c : CONSTANTS) {
                check(SeccompProfile.Arg.of(index++ % 6, op, c));
            }
        }
    }

    @Test
    void maskedEq_everyMaskAndValue() {
        int index = 0;
        for (long mask : CONSTANTS) {
            for (long want : new long[] {0, mask, mask & 0xffffffffL, mask & 0xffffffff00000000L,
                    Long.lowestOneBit(mask), 0x5412L, 1L << 40, ~mask, mask | 1}) {
                check(SeccompProfile.Arg.maskedEq(index++ % 6, mask, want));
            }
        }
    }

    private static void check(SeccompProfile.Arg arg) {
        SeccompProfile profile = SeccompProfile.of(Action.errno(1),
                List.of(SeccompProfile.Rule.of(Action.ALLOW, "getpid").withArgs(arg)));
        for (Arch arch : Arch.values()) {
            BpfProgram p = TestProfiles.compile(profile, Target.of(arch));
            Set<Long> probes = new LinkedHashSet<>(VALUES);
            probes.addAll(Reference.probes(arg));
            for (long v : probes) {
                SeccompData d = SeccompData.of(arch, "getpid").withArg(arg.index(), v);
                Action want = Reference.holds(arg, v) ? Action.ALLOW : Action.errno(1);
                assertEquals(want, p.evaluate(d).action(), () -> arch + " " + arg + " with 0x" + Long.toHexString(v));
                // Another argument holding the value must not matter.
                SeccompData other = SeccompData.of(arch, "getpid").withArg((arg.index() + 1) % 6, v);
                assertEquals(Reference.holds(arg, 0) ? Action.ALLOW : Action.errno(1), p.evaluate(other).action(),
                        () -> arch + " " + arg + " with 0x" + Long.toHexString(v) + " in another argument");
            }
        }
    }

    @Test
    void severalConditions_areAnded_severalRules_areOred() {
        SeccompProfile p = TestProfiles.parse("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":["
                + "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
                + "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":4294967296,\"op\":\"SCMP_CMP_GE\"}]},"
                + "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":5,\"value\":7,\"op\":\"SCMP_CMP_LT\"},"
                + "{\"index\":5,\"value\":3,\"op\":\"SCMP_CMP_GT\"}]}]}");
        for (Arch arch : Arch.values()) {
            BpfProgram prog = TestProfiles.compile(p, Target.of(arch));
            long[] interesting = {0, 1, 3, 4, 6, 7, 0xffffffffL, 1L << 32, (1L << 32) + 1, -1};
            for (long a0 : interesting) {
                for (long a1 : interesting) {
                    for (long a5 : interesting) {
                        boolean first = a0 == 1 && Long.compareUnsigned(a1, 1L << 32) >= 0;
                        // Two conditions on the same argument are ANDed too: 3 < a5 < 7.
                        boolean second = Long.compareUnsigned(a5, 7) < 0 && Long.compareUnsigned(a5, 3) > 0;
                        SeccompData d = SeccompData.of(arch, "getpid", a0, a1, 0, 0, 0, a5);
                        assertEquals(first || second ? Action.ALLOW : Action.errno(1), prog.evaluate(d).action(), d::toString);
                        assertEquals(Reference.evaluate(p, Target.of(arch), d), prog.evaluate(d).action());
                    }
                }
            }
        }
    }

    @Test
    void bigEndianLayout_readsHighWordFirst() {
        // Neither supported arch is big-endian, but the word layout rule is
        // shared code: check it directly.
        SeccompData d = new SeccompData(0, 0, 0x1122334455667788L, 0x0102030405060708L);
        assertEquals(0x05060708, d.word(16, true));
        assertEquals(0x01020304, d.word(20, true));
        assertEquals(0x01020304, d.word(16, false));
        assertEquals(0x05060708, d.word(20, false));
        assertEquals(0x55667788, d.word(8, true));
        assertEquals(0x11223344, d.word(8, false));
    }
}
