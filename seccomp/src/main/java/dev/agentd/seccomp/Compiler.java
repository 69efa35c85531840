package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Compiles a {@link SeccompProfile} for one {@link Target} into classic BPF.
 *
 * <p>The program has three parts:
 * <ol>
 * <li><b>Architecture check.</b> {@code seccomp_data.arch} must be the
 *     target's {@code AUDIT_ARCH_*}; anything else is killed. Syscall numbers
 *     mean different calls on each ABI, and a 64-bit process can enter the
 *     kernel through a compat ABI (i386 via {@code int 0x80}, arm32), so an
 *     allow-list written for one table must never see numbers from another
 *     (kernel-facts.md). Docker's {@code archMap} sub-architectures are
 *     therefore not honoured: the filter admits exactly one ABI.</li>
 * <li><b>x32 check</b> (x86_64 only). x32 calls arrive with the x86_64
 *     {@code AUDIT_ARCH} and the syscall number ORed with
 *     {@code __X32_SYSCALL_BIT}; any number at or above that bit is killed
 *     (KILL_PROCESS, not the default action). No x86_64 program makes such a
 *     call by mistake, so one is an attempt to reach the x32 table, which
 *     this filter never vetted; killing makes the attempt visible (SIGSYS,
 *     audit) instead of a quiet errno the caller may probe around, and it
 *     treats x32 the same as every other foreign ABI above. libseccomp
 *     likewise answers x32 numbers in an x86_64-only filter with its
 *     bad-architecture action rather than the default.</li>
 * <li><b>Dispatch.</b> Syscall numbers are cut into ranges of equal answer
 *     (runs of allowed numbers share one range), and a balanced binary
 *     search over the range starts ({@code jge}) reaches each range's block
 *     in about log2(ranges) steps — about 8 for a 300-name allow-list —
 *     instead of up to one comparison per syscall in a linear chain. A block
 *     is a single {@code ret}, or the argument checks of that syscall's rules
 *     followed by the fallback {@code ret}.</li>
 * </ol>
 *
 * <p>Rules for one syscall are tried most restrictive first (the kernel's
 * action precedence, {@link Action.Type}; ties in file order), so the answer
 * is that of the highest-ranking rule that matches — the same answer however
 * the rules are ordered in the file. An unconditional rule ends the chain.
 *
 * <p>Arguments are 64-bit and {@code seccomp_data.args[i]} is read as two
 * 32-bit words (low word at {@code 16 + 8*i} on little-endian machines, high
 * word 4 bytes further). Equality checks both words; ordered comparisons
 * decide on the high word and consult the low word only when the high words
 * are equal; {@code MASKED_EQ} masks each word.
 */
final class Compiler {
    private Compiler() {}

    /** One rule as it applies to one syscall number. */
    private record Candidate(Action action, List<SeccompProfile.Arg> args, int ruleIndex) {
        boolean conditional() {
            return !args.isEmpty();
        }
    }

    /** A conditional rule in a block. */
    private record Check(Action action, List<SeccompProfile.Arg> args) {}

    /** What one syscall number compiles to: checks tried in order, then {@code fallback}. */
    private record Block(List<Check> checks, Action fallback) {}

    /** Numbers {@code start..end} (inclusive, unsigned) answered by {@code block}. */
    private record Range(long start, long end, Block block) {}

    private static final int LD_ABS = Bpf.LD | Bpf.W | Bpf.ABS;
    private static final int RET_K = Bpf.RET | Bpf.K;

    private final Assembler asm = new Assembler();
    private boolean littleEndian;

    static Compilation compile(SeccompProfile profile, Target target) throws CompileException {
        return new Compiler().run(profile, target);
    }

    private Compilation run(SeccompProfile profile, Target target) throws CompileException {
        Arch arch = target.arch();
        littleEndian = (arch.auditArch() & Bpf.AUDIT_ARCH_LE) != 0;
        List<CompileReport.SkippedName> skipped = new ArrayList<>();
        List<CompileReport.LeftOutRule> leftOut = new ArrayList<>();
        Map<Integer, List<Candidate>> byNr = new TreeMap<>(Integer::compareUnsigned);

        List<SeccompProfile.Rule> rules = profile.syscalls();
        for (int i = 0; i < rules.size(); i++) {
            SeccompProfile.Rule rule = rules.get(i);
            String why = rule.whyLeftOut(target);
            if (why != null) {
                leftOut.add(new CompileReport.LeftOutRule("syscalls[" + i + "]", rule.names(), why));
                continue;
            }
            for (int j = 0; j < rule.names().size(); j++) {
                String name = rule.names().get(j);
                OptionalInt nr = arch.syscallNumber(name);
                if (nr.isEmpty()) {
                    skipped.add(new CompileReport.SkippedName(name, "syscalls[" + i + "].names[" + j + "]"));
                    continue;
                }
                byNr.computeIfAbsent(nr.getAsInt(), k -> new ArrayList<>()).add(new Candidate(rule.action(), rule.args(), i));
            }
        }

        Block defaultBlock = new Block(List.of(), profile.defaultAction());
        Map<Integer, Block> blocks = new TreeMap<>(Integer::compareUnsigned);
        int conditional = 0;
        for (Map.Entry<Integer, List<Candidate>> e : byNr.entrySet()) {
            Block b = block(e.getValue(), profile.defaultAction());
            if (!b.equals(defaultBlock)) {
                blocks.put(e.getKey(), b);
                conditional += b.checks().isEmpty() ? 0 : 1;
            }
        }
        // Numbers at or above the x32 bit never reach the dispatch on x86_64.
        long maxNr = arch == Arch.X86_64 ? Arch.X32_SYSCALL_BIT - 1L : 0xffffffffL;
        List<Range> ranges = ranges(blocks, defaultBlock, maxNr);

        emitArchCheck(arch);
        emitTree(ranges, 0, ranges.size() - 1);
        List<BpfInstruction> code = asm.link();
        if (code.size() > Bpf.MAXINSNS) {
            throw new CompileException(arch, code.size(), String.format(Locale.ROOT,
                    "the profile compiles to %d instructions for %s, more than the kernel accepts (BPF_MAXINSNS = %d):"
                            + " %d syscalls with rules, %d of them with argument conditions; merge or drop argument rules",
                    code.size(), arch, Bpf.MAXINSNS, blocks.size(), conditional));
        }
        BpfProgram program = new BpfProgram(arch, code);
        CompileReport report = new CompileReport(target, skipped, leftOut, blocks.size(), conditional, ranges.size(),
                code.size(), notes(profile, target));
        return new Compilation(program, report);
    }

    /**
     * The checks for one syscall: candidates most restrictive first (ties in
     * file order), cut after the first unconditional one, which becomes the
     * fallback; trailing checks that answer what the fallback answers are
     * dropped, they change nothing.
     */
    private static Block block(List<Candidate> candidates, Action defaultAction) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.<Candidate, Action>comparing(Candidate::action, Action::comparePrecedence)
                .thenComparingInt(Candidate::ruleIndex));
        List<Check> checks = new ArrayList<>();
        Action fallback = defaultAction;
        for (Candidate c : sorted) {
            if (!c.conditional()) {
                fallback = c.action();
                break;
            }
            Check check = new Check(c.action(), c.args());
            if (!checks.contains(check)) {
                checks.add(check);
            }
        }
        while (!checks.isEmpty() && checks.get(checks.size() - 1).action().equals(fallback)) {
            checks.remove(checks.size() - 1);
        }
        return new Block(List.copyOf(checks), fallback);
    }

    /** Cuts 0..maxNr into maximal runs of numbers with the same block. */
    private static List<Range> ranges(Map<Integer, Block> blocks, Block defaultBlock, long maxNr) {
        List<Range> out = new ArrayList<>();
        long next = 0;
        for (Map.Entry<Integer, Block> e : blocks.entrySet()) {
            long nr = Integer.toUnsignedLong(e.getKey());
            if (nr > maxNr) {
                break;
            }
            if (nr > next) {
                add(out, next, nr - 1, defaultBlock);
            }
            add(out, nr, nr, e.getValue());
            next = nr + 1;
        }
        if (next <= maxNr) {
            add(out, next, maxNr, defaultBlock);
        }
        return out;
    }

    private static void add(List<Range> out, long start, long end, Block block) {
        if (!out.isEmpty()) {
            Range last = out.get(out.size() - 1);
            if (last.block().equals(block) && last.end() + 1 == start) {
                out.set(out.size() - 1, new Range(last.start(), end, block));
                return;
            }
        }
        out.add(new Range(start, end, block));
    }

    private void emitArchCheck(Arch arch) {
        Assembler.Label archOk = asm.label();
        Assembler.Label kill = asm.label();
        asm.stmt(LD_ABS, Bpf.DATA_ARCH);
        asm.jump(Bpf.JMP | Bpf.JEQ | Bpf.K, (int) arch.auditArch(), archOk, kill);
        asm.bind(kill);
        asm.stmt(RET_K, Action.KILL_PROCESS.returnValue());
        asm.bind(archOk);
        asm.stmt(LD_ABS, Bpf.DATA_NR);
        if (arch == Arch.X86_64) {
            Assembler.Label x32 = asm.label();
            Assembler.Label native64 = asm.label();
            asm.jump(Bpf.JMP | Bpf.JGE | Bpf.K, Arch.X32_SYSCALL_BIT, x32, native64);
            asm.bind(x32);
            asm.stmt(RET_K, Action.KILL_PROCESS.returnValue());
            asm.bind(native64);
        }
    }

    /**
     * A balanced search over {@code ranges[lo..hi]}; A holds the syscall
     * number. The left half is laid out first, so the false branch of each
     * {@code jge} falls through and only the true branch may need a
     * trampoline.
     */
    private void emitTree(List<Range> ranges, int lo, int hi) {
        if (lo == hi) {
            emitBlock(ranges.get(lo).block());
            return;
        }
        int mid = (lo + hi + 1) >>> 1;
        Assembler.Label left = asm.label();
        Assembler.Label right = asm.label();
        asm.jump(Bpf.JMP | Bpf.JGE | Bpf.K, (int) ranges.get(mid).start(), right, left);
        asm.bind(left);
        emitTree(ranges, lo, mid - 1);
        asm.bind(right);
        emitTree(ranges, mid, hi);
    }

    private void emitBlock(Block block) {
        List<Check> checks = block.checks();
        for (int i = 0; i < checks.size(); ) {
            int end = i + 1;
            while (end < checks.size() && sameEqSet(checks.get(i), checks.get(end))) {
                end++;
            }
            if (end - i > 1) {
                emitEqSet(checks.subList(i, end));
            } else {
                Check check = checks.get(i);
                Assembler.Label nextCheck = asm.label();
                for (SeccompProfile.Arg arg : check.args()) {
                    emitArg(arg, nextCheck);
                }
                asm.stmt(RET_K, check.action().returnValue());
                asm.bind(nextCheck);
            }
            i = end;
        }
        asm.stmt(RET_K, block.fallback().returnValue());
    }

    /** Whether two checks are single EQ conditions on the same argument with the same action. */
    private static boolean sameEqSet(Check a, Check b) {
        return a.args().size() == 1 && b.args().size() == 1 && a.action().equals(b.action())
                && a.args().get(0).op() == SeccompProfile.Op.EQ && b.args().get(0).op() == SeccompProfile.Op.EQ
                && a.args().get(0).index() == b.args().get(0).index();
    }

    /**
     * Several "args[i] == v" rules with one action (Docker's personality
     * values): test the high word once per distinct high word and then the
     * low words one after another, instead of reloading both words for
     * every value. Rules with equal actions are ORed, so merging them keeps
     * the answer and shortens the longest path.
     */
    private void emitEqSet(List<Check> checks) {
        int index = checks.get(0).args().get(0).index();
        int field = Bpf.DATA_ARGS + 8 * index;
        Map<Integer, List<Integer>> byHigh = new java.util.LinkedHashMap<>();
        for (Check c : checks) {
            long v = c.args().get(0).value();
            List<Integer> lows = byHigh.computeIfAbsent((int) (v >>> 32), k -> new ArrayList<>());
            if (!lows.contains((int) v)) {
                lows.add((int) v);
            }
        }
        Assembler.Label match = asm.label();
        Assembler.Label noMatch = asm.label();
        int g = 0;
        for (Map.Entry<Integer, List<Integer>> group : byHigh.entrySet()) {
            boolean lastGroup = ++g == byHigh.size();
            Assembler.Label nextGroup = lastGroup ? noMatch : asm.label();
            asm.load(Bpf.highWord(field, littleEndian));
            jeq(group.getKey(), null, nextGroup);
            asm.load(Bpf.lowWord(field, littleEndian));
            List<Integer> lows = group.getValue();
            for (int j = 0; j < lows.size(); j++) {
                jeq(lows.get(j), match, j == lows.size() - 1 ? nextGroup : null);
            }
            if (!lastGroup) {
                asm.bind(nextGroup);
            }
        }
        asm.bind(match);
        asm.stmt(RET_K, checks.get(0).action().returnValue());
        asm.bind(noMatch);
    }

    /** Falls through when {@code arg} holds, jumps to {@code fail} when it does not. */
    private void emitArg(SeccompProfile.Arg arg, Assembler.Label fail) {
        int field = Bpf.DATA_ARGS + 8 * arg.index();
        int hiOff = Bpf.highWord(field, littleEndian);
        int loOff = Bpf.lowWord(field, littleEndian);
        long v = arg.value();
        int vHi = (int) (v >>> 32);
        int vLo = (int) v;
        Assembler.Label pass = asm.label();
        switch (arg.op()) {
            case EQ:
                asm.load(hiOff);
                jeq(vHi, null, fail);
                asm.load(loOff);
                jeq(vLo, pass, fail);
                break;
            case NE:
                asm.load(hiOff);
                jeq(vHi, null, pass);
                asm.load(loOff);
                jeq(vLo, fail, pass);
                break;
            case MASKED_EQ:
                emitMaskedEq(hiOff, loOff, v, arg.valueTwo(), fail);
                break;
            case GT:
            case GE:
            case LT:
            case LE: {
                boolean greaterPasses = arg.op() == SeccompProfile.Op.GT || arg.op() == SeccompProfile.Op.GE;
                Assembler.Label greater = greaterPasses ? pass : fail;
                Assembler.Label less = greaterPasses ? fail : pass;
                asm.load(hiOff);
                // High words decide unless equal. "hi > 0xffffffff" is never true
                // and, after "hi > 0" failed, "hi == 0" always is: skip those.
                if (vHi != -1) {
                    Assembler.Label notGreater = asm.label();
                    asm.jump(Bpf.JMP | Bpf.JGT | Bpf.K, vHi, greater, notGreater);
                    asm.bind(notGreater);
                }
                if (vHi != 0) {
                    jeq(vHi, null, less);
                }
                asm.load(loOff);
                // High words equal: the low words decide, unsigned.
                switch (arg.op()) {
                    case GT: asm.jump(Bpf.JMP | Bpf.JGT | Bpf.K, vLo, pass, fail); break;
                    case GE: asm.jump(Bpf.JMP | Bpf.JGE | Bpf.K, vLo, pass, fail); break;
                    case LT: asm.jump(Bpf.JMP | Bpf.JGE | Bpf.K, vLo, fail, pass); break;
                    default: asm.jump(Bpf.JMP | Bpf.JGT | Bpf.K, vLo, fail, pass); break;
                }
                break;
            }
            default:
                throw new AssertionError(arg.op());
        }
        asm.bind(pass);
    }

    /** {@code (arg & mask) == want}, one 32-bit word at a time. */
    private void emitMaskedEq(int hiOff, int loOff, long mask, long want, Assembler.Label fail) {
        if ((want & ~mask) != 0) {
            // A bit the mask clears can never be set: the condition never holds.
            asm.ja(fail);
            return;
        }
        int[][] words = {{hiOff, (int) (mask >>> 32), (int) (want >>> 32)}, {loOff, (int) mask, (int) want}};
        for (int[] w : words) {
            if (w[1] == 0) {
                // (x & 0) == 0 always, and want's word is 0 here (checked above).
                continue;
            }
            asm.load(w[0]);
            if (w[1] != -1) {
                asm.stmt(Bpf.ALU | Bpf.AND | Bpf.K, w[1]);
            }
            jeq(w[2], null, fail);
        }
    }

    private void jeq(int k, Assembler.Label t, Assembler.Label f) {
        asm.jump(Bpf.JMP | Bpf.JEQ | Bpf.K, k, t, f);
    }

    private List<String> notes(SeccompProfile profile, Target target) {
        List<String> notes = new ArrayList<>();
        String scmp = target.arch().scmpName();
        for (SeccompProfile.ArchMapping m : profile.archMap()) {
            if (m.architecture().equals(scmp) && !m.subArchitectures().isEmpty()) {
                notes.add("archMap sub-architectures " + m.subArchitectures() + " of " + scmp
                        + " are not honoured: calls through those ABIs are killed");
            }
        }
        if (!profile.architectures().isEmpty() && !profile.architectures().contains(scmp)
                && profile.archMap().stream().noneMatch(m -> m.architecture().equals(scmp))) {
            notes.add("the profile lists architectures " + profile.architectures() + " without " + scmp
                    + "; compiled for " + scmp + " anyway, as runc includes the native architecture");
        }
        if (target.kernel().isEmpty() && profile.syscalls().stream().anyMatch(
                r -> r.includes().minKernel().isPresent() || r.excludes().minKernel().isPresent())) {
            notes.add("no kernel version given: every minKernel condition was taken as met");
        }
        if (!profile.flags().isEmpty()) {
            notes.add("flags " + profile.flags() + " are kept in the profile, not applied by SeccompFilter");
        }
        if (profile.listenerPath().isPresent()) {
            notes.add("listenerPath is kept in the profile; passing the listener fd on is the caller's job");
        }
        return notes;
    }
}
