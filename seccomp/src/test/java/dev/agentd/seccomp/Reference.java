package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a profile says about one call, computed straight from the model —
 * no BPF, no compiler code. The compiled program must agree with it on
 * every input.
 *
 * <p>Semantics (documented in SeccompProfile): a foreign arch or an x32
 * number is killed; otherwise, of the rules that apply to the target
 * (moby's includes/excludes logic), name the call and whose argument
 * conditions all hold, the one whose action the kernel ranks highest wins,
 * ties going to the first in the file; no such rule means the default.
 */
final class Reference {
    private Reference() {}

    /** The kernel's precedence, most restrictive first (include/uapi/linux/seccomp.h, kernel/seccomp.c). */
    private static final List<Action.Type> RANK = List.of(Action.Type.KILL_PROCESS, Action.Type.KILL_THREAD,
            Action.Type.TRAP, Action.Type.ERRNO, Action.Type.NOTIFY, Action.Type.TRACE, Action.Type.LOG,
            Action.Type.ALLOW);

    static Action evaluate(SeccompProfile p, Target t, SeccompData d) {
        if (d.arch() != t.arch().auditArch()) {
            return Action.KILL_PROCESS;
        }
        if (t.arch() == Arch.X86_64 && Integer.toUnsignedLong(d.nr()) >= 0x40000000L) {
            return Action.KILL_PROCESS;
        }
        String name = names(t.arch()).get(d.nr());
        if (name == null) {
            return p.defaultAction();
        }
        Action best = null;
        for (SeccompProfile.Rule r : p.syscalls()) {
            if (!applies(r, t) || !r.names().contains(name)) {
                continue;
            }
            boolean all = true;
            for (SeccompProfile.Arg a : r.args()) {
                all &= holds(a, d.arg(a.index()));
            }
            if (all && (best == null || RANK.indexOf(r.action().type()) < RANK.indexOf(best.type()))) {
                best = r.action();
            }
        }
        return best == null ? p.defaultAction() : best;
    }

    /** The condition with BigInteger arithmetic on the unsigned 64-bit values. */
    static boolean holds(SeccompProfile.Arg a, long argValue) {
        BigInteger x = unsigned(argValue);
        BigInteger v = unsigned(a.value());
        switch (a.op()) {
            case NE: return x.compareTo(v) != 0;
            case LT: return x.compareTo(v) < 0;
            case LE: return x.compareTo(v) <= 0;
            case EQ: return x.compareTo(v) == 0;
            case GE: return x.compareTo(v) >= 0;
            case GT: return x.compareTo(v) > 0;
            case MASKED_EQ: return x.and(v).equals(unsigned(a.valueTwo()));
            default: throw new AssertionError();
        }
    }

    static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    /** moby profiles/seccomp/seccomp_linux.go, restated. */
    static boolean applies(SeccompProfile.Rule r, Target t) {
        Set<String> archNames = t.arch() == Arch.X86_64 ? Set.of("amd64", "x86_64") : Set.of("arm64", "aarch64");
        for (String a : r.excludes().arches()) {
            if (archNames.contains(a)) {
                return false;
            }
        }
        for (String c : r.excludes().caps()) {
            if (t.capabilities().contains(c)) {
                return false;
            }
        }
        if (r.excludes().minKernel().isPresent()
                && (t.kernel().isEmpty() || t.kernel().get().compareTo(r.excludes().minKernel().get()) >= 0)) {
            return false;
        }
        if (!r.includes().arches().isEmpty() && r.includes().arches().stream().noneMatch(archNames::contains)) {
            return false;
        }
        if (!t.capabilities().containsAll(r.includes().caps())) {
            return false;
        }
        return r.includes().minKernel().isEmpty() || t.kernel().isEmpty()
                || t.kernel().get().compareTo(r.includes().minKernel().get()) >= 0;
    }

    private static final Map<Arch, Map<Integer, String>> NAMES = new HashMap<>();

    static synchronized Map<Integer, String> names(Arch arch) {
        return NAMES.computeIfAbsent(arch, a -> {
            Map<Integer, String> m = new HashMap<>();
            for (String n : a.syscallNames()) {
                m.put(a.syscallNumber(n).getAsInt(), n);
            }
            return m;
        });
    }

    /**
     * Values around a condition's constants: equal, one off, the other
     * 32-bit word changed, mask bits flipped — the boundaries where a
     * hi/lo comparison can go wrong.
     */
    static Set<Long> probes(SeccompProfile.Arg a) {
        Set<Long> s = new LinkedHashSet<>();
        for (long c : new long[] {a.value(), a.valueTwo()}) {
            for (long d : new long[] {0, 1, -1, 1L << 32, -(1L << 32), 2, -2}) {
                s.add(c + d);
            }
            s.add(c ^ 0xffffffff00000000L);
            s.add(c & 0xffffffffL);
            s.add(c | 0xffffffffL);
            s.add(c ^ 0x80000000L);
            s.add(c ^ Long.MIN_VALUE);
        }
        if (a.op() == SeccompProfile.Op.MASKED_EQ) {
            long m = a.value();
            long w = a.valueTwo();
            s.add(w | ~m);
            s.add(w | (~m & 0xffffffffL));
            s.add(w | (~m & 0xffffffff00000000L));
            for (int bit = 0; bit < 64; bit += 7) {
                s.add(w ^ (1L << bit));
            }
            s.add(w ^ Long.lowestOneBit(m));
            s.add(w ^ Long.highestOneBit(m));
        }
        s.add(0L);
        s.add(-1L);
        return s;
    }

    /**
     * Argument vectors that exercise every rule naming {@code name}: all
     * zero; each condition's probes alone; and, per rule, every condition
     * satisfied at once (when the probes offer such values) with one varied.
     */
    static List<long[]> argVectors(SeccompProfile p, Target t, String name) {
        List<long[]> out = new ArrayList<>();
        out.add(new long[6]);
        for (SeccompProfile.Rule r : p.syscalls()) {
            if (!r.names().contains(name) || r.args().isEmpty()) {
                continue;
            }
            long[] satisfying = new long[6];
            for (SeccompProfile.Arg a : r.args()) {
                for (long v : probes(a)) {
                    long[] single = new long[6];
                    single[a.index()] = v;
                    out.add(single);
                    if (holds(a, v)) {
                        satisfying[a.index()] = v;
                    }
                }
            }
            out.add(satisfying.clone());
            for (SeccompProfile.Arg a : r.args()) {
                for (long v : probes(a)) {
                    long[] varied = satisfying.clone();
                    varied[a.index()] = v;
                    out.add(varied);
                }
            }
        }
        return out;
    }
}
