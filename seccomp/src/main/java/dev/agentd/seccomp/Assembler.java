package dev.agentd.seccomp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Lays out instructions with symbolic jump targets and resolves them.
 *
 * <p>Classic BPF jumps only forward, and a conditional jump's offsets are
 * 8 bits ({@code jt}/{@code jf} in {@code struct sock_filter}), so a target
 * more than 255 instructions ahead cannot be reached directly. Such a branch
 * goes through a trampoline placed right after the jump: a {@code ja} (32-bit
 * offset) or, when the target is a {@code ret}, a copy of that {@code ret},
 * which saves the extra step. Adding trampolines moves code, which can push
 * other targets out of reach, so layout repeats until nothing changes (each
 * round only adds trampolines, so it ends).
 */
final class Assembler {
    /** A position in the program, bound once. */
    static final class Label {
        private int node = -1;
        /** What A holds on the jumps seen so far into this label (see {@link #load}). */
        private int incoming = NOTHING;
    }

    /** A is known to hold nothing in particular. */
    private static final int UNKNOWN = -1;
    /** No path reaches this point (yet). */
    private static final int NOTHING = -2;

    /**
     * The {@code seccomp_data} offset the accumulator holds at the current
     * point of emission, {@link #UNKNOWN}, or {@link #NOTHING} after a return
     * or jump. Exact because jumps only go forward: every jump into a label
     * is emitted before the label is bound.
     */
    private int aHolds = UNKNOWN;

    private sealed interface Node permits Stmt, Jump, Goto, Bind {}

    private record Stmt(int code, int k) implements Node {}

    private record Jump(int code, int k, Label t, Label f) implements Node {}

    private record Goto(Label target) implements Node {}

    private record Bind(Label label) implements Node {}

    private final List<Node> nodes = new ArrayList<>();

    Label label() {
        return new Label();
    }

    void bind(Label l) {
        if (l.node >= 0) {
            throw new IllegalStateException("label bound twice");
        }
        l.node = nodes.size();
        nodes.add(new Bind(l));
        aHolds = merge(aHolds, l.incoming);
    }

    private static int merge(int a, int b) {
        return a == NOTHING ? b : b == NOTHING ? a : a == b ? a : UNKNOWN;
    }

    private void flowTo(Label l) {
        if (l.node >= 0) {
            throw new IllegalStateException("backward jump");
        }
        l.incoming = merge(l.incoming, aHolds);
    }

    /**
     * {@code ld [offset]}, left out when the accumulator already holds that
     * word on every path here (consecutive checks of one argument reuse it).
     */
    void load(int offset) {
        if (aHolds != offset) {
            stmt(Bpf.LD | Bpf.W | Bpf.ABS, offset);
            aHolds = offset;
        }
    }

    /** A non-jump instruction: load, ALU, return. */
    void stmt(int code, int k) {
        nodes.add(new Stmt(code, k));
        if (code == (Bpf.LD | Bpf.W | Bpf.ABS)) {
            aHolds = k;
        } else if (Bpf.cls(code) == Bpf.RET) {
            aHolds = NOTHING;
        } else {
            aHolds = UNKNOWN;
        }
    }

    /**
     * A conditional jump: to {@code t} when the condition holds, else to
     * {@code f}; {@code null} for either means the next instruction.
     */
    void jump(int code, int k, Label t, Label f) {
        Label next = t == null || f == null ? label() : null;
        Jump j = new Jump(code, k, t == null ? next : t, f == null ? next : f);
        nodes.add(j);
        flowTo(j.t());
        flowTo(j.f());
        aHolds = NOTHING;
        if (next != null) {
            bind(next);
        }
    }

    /** An unconditional jump. */
    void ja(Label target) {
        nodes.add(new Goto(target));
        flowTo(target);
        aHolds = NOTHING;
    }

    List<BpfInstruction> link() {
        int n = nodes.size();
        boolean[] farT = new boolean[n];
        boolean[] farF = new boolean[n];
        int[] addr = new int[n + 1];
        boolean changed = true;
        while (changed) {
            layout(farT, farF, addr);
            changed = false;
            for (int i = 0; i < n; i++) {
                if (nodes.get(i) instanceof Jump j) {
                    int base = addr[i] + 1;
                    if (!farT[i] && target(j.t(), addr) - base > Bpf.MAX_COND_JUMP) {
                        farT[i] = true;
                        changed = true;
                    }
                    if (!farF[i] && target(j.f(), addr) - base > Bpf.MAX_COND_JUMP) {
                        farF[i] = true;
                        changed = true;
                    }
                }
            }
        }
        Map<Integer, Stmt> returnsAt = new HashMap<>();
        for (int i = n - 1; i >= 0; i--) {
            if (nodes.get(i) instanceof Stmt s && Bpf.cls(s.code()) == Bpf.RET) {
                returnsAt.put(addr[i], s);
            }
        }
        List<BpfInstruction> out = new ArrayList<>(addr[n]);
        for (int i = 0; i < n; i++) {
            Node node = nodes.get(i);
            if (node instanceof Stmt s) {
                out.add(BpfInstruction.stmt(s.code(), s.k()));
            } else if (node instanceof Goto g) {
                out.add(trampoline(target(g.target(), addr), addr[i], returnsAt));
            } else if (node instanceof Jump j) {
                int base = addr[i] + 1;
                int t = target(j.t(), addr);
                int f = target(j.f(), addr);
                int jt = farT[i] ? 0 : t - base;
                int jf = farF[i] ? (farT[i] ? 1 : 0) : f - base;
                check(jt, i);
                check(jf, i);
                out.add(new BpfInstruction(j.code(), jt, jf, j.k()));
                if (farT[i]) {
                    out.add(trampoline(t, base, returnsAt));
                }
                if (farF[i]) {
                    out.add(trampoline(f, base + (farT[i] ? 1 : 0), returnsAt));
                }
            }
        }
        if (out.size() != addr[n]) {
            throw new IllegalStateException("layout mismatch: " + out.size() + " != " + addr[n]);
        }
        return out;
    }

    private void layout(boolean[] farT, boolean[] farF, int[] addr) {
        int a = 0;
        for (int i = 0; i < nodes.size(); i++) {
            addr[i] = a;
            Node node = nodes.get(i);
            if (node instanceof Jump) {
                a += 1 + (farT[i] ? 1 : 0) + (farF[i] ? 1 : 0);
            } else if (!(node instanceof Bind)) {
                a++;
            }
        }
        addr[nodes.size()] = a;
    }

    private static int target(Label l, int[] addr) {
        if (l.node < 0) {
            throw new IllegalStateException("jump to an unbound label");
        }
        return addr[l.node];
    }

    /** An instruction at {@code at} that continues at {@code target}: a copy of the ret there, or a ja. */
    private static BpfInstruction trampoline(int target, int at, Map<Integer, Stmt> returnsAt) {
        Stmt ret = returnsAt.get(target);
        if (ret != null) {
            return BpfInstruction.stmt(ret.code(), ret.k());
        }
        int offset = target - (at + 1);
        if (offset < 0) {
            throw new IllegalStateException("backward jump");
        }
        return BpfInstruction.stmt(Bpf.JMP | Bpf.JA, offset);
    }

    private static void check(int offset, int node) {
        if (offset < 0 || offset > Bpf.MAX_COND_JUMP) {
            throw new IllegalStateException("jump offset " + offset + " at node " + node);
        }
    }
}
