package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Size and path-length figures of a compiled program. */
final class Figures {
    private Figures() {}

    /** Syscall numbers worth trying: every table entry, its neighbours, and the edges of the number space. */
    static List<Integer> interestingNumbers(Arch arch) {
        TreeSet<Integer> s = new TreeSet<>();
        for (String n : arch.syscallNames()) {
            int nr = arch.syscallNumber(n).getAsInt();
            s.add(nr);
            s.add(nr + 1);
            if (nr > 0) {
                s.add(nr - 1);
            }
        }
        for (int i = 0; i < 1024; i++) {
            s.add(i);
        }
        for (int nr : new int[] {0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff}) {
            s.add(nr);
        }
        return new ArrayList<>(s);
    }

    /**
     * The most instructions the interpreter executes for any syscall number
     * and any of the argument vectors {@link Reference#argVectors} makes for
     * that syscall's rules.
     */
    static int longestExecutedPath(BpfProgram program, SeccompProfile profile, Target target) {
        Arch arch = target.arch();
        int max = 0;
        for (int nr : interestingNumbers(arch)) {
            String name = Reference.names(arch).get(nr);
            List<long[]> vectors = name == null ? List.of(new long[6]) : Reference.argVectors(profile, target, name);
            for (long[] args : vectors) {
                max = Math.max(max, program.evaluate(SeccompData.of(arch, nr, args)).steps());
            }
        }
        return max;
    }

    /** The longest path through the program's control-flow graph (a DAG: jumps go forward), counting the ret. */
    static int longestStaticPath(BpfProgram p) {
        int[] dist = new int[p.length()];
        dist[0] = 1;
        int max = 0;
        for (int pc = 0; pc < p.length(); pc++) {
            if (dist[pc] == 0) {
                continue;
            }
            BpfInstruction in = p.instruction(pc);
            int cls = Bpf.cls(in.code());
            if (cls == Bpf.RET) {
                max = Math.max(max, dist[pc]);
            } else if (cls == Bpf.JMP && Bpf.op(in.code()) == Bpf.JA) {
                reach(dist, pc + 1 + in.k(), dist[pc] + 1);
            } else if (cls == Bpf.JMP) {
                reach(dist, pc + 1 + in.jt(), dist[pc] + 1);
                reach(dist, pc + 1 + in.jf(), dist[pc] + 1);
            } else {
                reach(dist, pc + 1, dist[pc] + 1);
            }
        }
        return max;
    }

    private static void reach(int[] dist, int to, int d) {
        dist[to] = Math.max(dist[to], d);
    }
}
