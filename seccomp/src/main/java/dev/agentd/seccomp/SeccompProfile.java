package dev.agentd.seccomp;

import dev.agentd.linux.Arch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A seccomp profile: the OCI runtime-spec {@code LinuxSeccomp} object
 * (config-linux.md, "Seccomp") with Docker's extensions ({@code archMap},
 * per-rule {@code includes} / {@code excludes}, {@code comment}, the legacy
 * single {@code name}), as Docker's {@code profiles/seccomp/default.json} is
 * written.
 *
 * <p>Read one with {@link #parse(String, String)}; compile it with
 * {@link Seccomp#compile(SeccompProfile, Target)}. What is honoured and what
 * is only kept is listed in the module's README: in short, the compiler lets
 * through only the target architecture ({@code architectures} and
 * {@code archMap} are kept, not honoured) and {@code flags},
 * {@code listenerPath} and {@code listenerMetadata} are kept for the caller.
 *
 * <p>Rules for one syscall combine as libseccomp and OCI runtimes combine
 * them — the conditions of one rule are ANDed, separate rules are ORed — and
 * when rules with different actions match one call, the action the kernel
 * ranks highest wins ({@link Action.Type}), whatever their order in the file.
 *
 * @param defaultAction    the answer for a call no rule matches ({@code defaultAction} + {@code defaultErrnoRet})
 * @param architectures    {@code SCMP_ARCH_*} names as written; kept, not honoured
 * @param archMap          Docker's architecture map as written; kept, not honoured
 * @param syscalls         the rules, in file order
 * @param flags            {@code SECCOMP_FILTER_FLAG_*} names as written; kept, not applied
 * @param listenerPath     the user-notification agent's socket; kept, not used
 * @param listenerMetadata opaque data for that agent; kept, not used
 */
public record SeccompProfile(Action defaultAction, List<String> architectures, List<ArchMapping> archMap,
        List<Rule> syscalls, List<String> flags, Optional<String> listenerPath, Optional<String> listenerMetadata) {

    public SeccompProfile {
        if (defaultAction == null) {
            throw new NullPointerException("defaultAction");
        }
        architectures = List.copyOf(architectures);
        archMap = List.copyOf(archMap);
        syscalls = List.copyOf(syscalls);
        flags = List.copyOf(flags);
        if (listenerPath == null || listenerMetadata == null) {
            throw new NullPointerException("listenerPath/listenerMetadata");
        }
    }

    /** A profile of {@code defaultAction} and {@code rules}, nothing else. */
    public static SeccompProfile of(Action defaultAction, List<Rule> rules) {
        return new SeccompProfile(defaultAction, List.of(), List.of(), rules, List.of(), Optional.empty(), Optional.empty());
    }

    /**
     * Parses profile JSON.
     *
     * @param json   the text
     * @param source a name for error messages (a file name), or an empty string
     */
    public static SeccompProfile parse(String json, String source) throws ProfileException {
        return ProfileParser.parse(json, source);
    }

    /** Parses profile JSON with no source name. */
    public static SeccompProfile parse(String json) throws ProfileException {
        return ProfileParser.parse(json, "");
    }

    /** Reads and parses a profile file (UTF-8); errors name the file. */
    public static SeccompProfile read(Path file) throws IOException, ProfileException {
        return ProfileParser.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Reads and parses a profile from {@code in} (UTF-8), naming it {@code source} in errors. */
    public static SeccompProfile read(InputStream in, String source) throws IOException, ProfileException {
        return ProfileParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), source);
    }

    /** libseccomp's argument comparisons, {@code SCMP_CMP_*}; all compare the full 64-bit value, unsigned. */
    public enum Op {
        /** {@code arg != value}. */
        NE("SCMP_CMP_NE"),
        /** {@code arg < value}. */
        LT("SCMP_CMP_LT"),
        /** {@code arg <= value}. */
        LE("SCMP_CMP_LE"),
        /** {@code arg == value}. */
        EQ("SCMP_CMP_EQ"),
        /** {@code arg >= value}. */
        GE("SCMP_CMP_GE"),
        /** {@code arg > value}. */
        GT("SCMP_CMP_GT"),
        /** {@code (arg & value) == valueTwo}: {@code value} is the mask. */
        MASKED_EQ("SCMP_CMP_MASKED_EQ");

        private final String scmpName;

        Op(String scmpName) {
            this.scmpName = scmpName;
        }

        /** The OCI spelling, e.g. {@code SCMP_CMP_MASKED_EQ}. */
        public String scmpName() {
            return scmpName;
        }
    }

    /**
     * One argument condition.
     *
     * @param index    which argument, 0..5
     * @param value    the operand (for {@link Op#MASKED_EQ} the mask), an unsigned 64-bit value
     * @param valueTwo for {@link Op#MASKED_EQ} the value the masked argument must equal; 0 otherwise
     * @param op       the comparison
     */
    public record Arg(int index, long value, long valueTwo, Op op) {
        public Arg {
            if (index < 0 || index >= Bpf.DATA_ARG_COUNT) {
                throw new IllegalArgumentException("argument index must be 0..5: " + index);
            }
            if (op == null) {
                throw new NullPointerException("op");
            }
            if (op != Op.MASKED_EQ && valueTwo != 0) {
                throw new IllegalArgumentException("valueTwo is only used by SCMP_CMP_MASKED_EQ, not " + op.scmpName());
            }
        }

        /** {@code arg(index) op value}, for ops other than {@link Op#MASKED_EQ}. */
        public static Arg of(int index, Op op, long value) {
            return new Arg(index, value, 0, op);
        }

        /** {@code (arg(index) & mask) == value}. */
        public static Arg maskedEq(int index, long mask, long value) {
            return new Arg(index, mask, value, Op.MASKED_EQ);
        }

        /** Whether argument value {@code arg} satisfies this condition (unsigned 64-bit, as libseccomp compares). */
        public boolean matches(long arg) {
            switch (op) {
                case NE: return arg != value;
                case LT: return Long.compareUnsigned(arg, value) < 0;
                case LE: return Long.compareUnsigned(arg, value) <= 0;
                case EQ: return arg == value;
                case GE: return Long.compareUnsigned(arg, value) >= 0;
                case GT: return Long.compareUnsigned(arg, value) > 0;
                case MASKED_EQ: return (arg & value) == valueTwo;
                default: throw new AssertionError(op);
            }
        }

        @Override
        public String toString() {
            String v = "0x" + Long.toHexString(value);
            return op == Op.MASKED_EQ ? "(args[" + index + "] & " + v + ") == 0x" + Long.toHexString(valueTwo)
                    : "args[" + index + "] " + op.scmpName() + " " + v;
        }
    }

    /**
     * Docker's {@code includes} / {@code excludes}: a rule is used only when
     * its {@code includes} holds and its {@code excludes} does not.
     *
     * @param caps      capabilities; includes: all must be held, excludes: any held excludes
     * @param arches    architectures in Go's spelling ({@code amd64}, {@code arm64}; {@code x86_64}
     *                  and {@code aarch64} are accepted too); includes: the target must be listed,
     *                  excludes: the target must not be
     * @param minKernel includes: the kernel must be at least this; excludes: must be older
     */
    public record Condition(Set<String> caps, Set<String> arches, Optional<KernelVersion> minKernel) {
        /** No condition. */
        public static final Condition NONE = new Condition(Set.of(), Set.of(), Optional.empty());

        public Condition {
            caps = Set.copyOf(caps);
            arches = Set.copyOf(arches);
            if (minKernel == null) {
                throw new NullPointerException("minKernel");
            }
        }

        /** Whether this condition says nothing. */
        public boolean isEmpty() {
            return caps.isEmpty() && arches.isEmpty() && minKernel.isEmpty();
        }
    }

    /**
     * One entry of {@code syscalls}: an action for some syscalls, under
     * optional argument conditions and Docker conditions.
     *
     * @param names    syscall names; each must exist on some Linux architecture
     * @param action   the action ({@code action} + {@code errnoRet})
     * @param args     argument conditions, all of which must hold (ANDed)
     * @param includes Docker's {@code includes}
     * @param excludes Docker's {@code excludes}
     * @param comment  Docker's {@code comment}, or an empty string
     */
    public record Rule(List<String> names, Action action, List<Arg> args, Condition includes, Condition excludes,
            String comment) {
        public Rule {
            names = List.copyOf(names);
            args = List.copyOf(args);
            if (names.isEmpty()) {
                throw new IllegalArgumentException("a rule names at least one syscall");
            }
            for (String n : names) {
                if (!SyscallNames.known(n)) {
                    throw new IllegalArgumentException("unknown syscall \"" + n + "\": no Linux architecture has it");
                }
            }
            if (action == null || includes == null || excludes == null) {
                throw new NullPointerException("action/includes/excludes");
            }
            comment = comment == null ? "" : comment;
        }

        /** {@code action} for {@code names}, unconditionally. */
        public static Rule of(Action action, String... names) {
            return new Rule(List.of(names), action, List.of(), Condition.NONE, Condition.NONE, "");
        }

        /** A copy with argument conditions {@code conditions}. */
        public Rule withArgs(Arg... conditions) {
            return new Rule(names, action, List.of(conditions), includes, excludes, comment);
        }

        /**
         * Why Docker would leave this rule out for {@code target}, or
         * {@code null} when it applies. Follows moby's
         * {@code profiles/seccomp/seccomp_linux.go}: excludes first (any
         * listed arch, any held cap, a kernel at least minKernel), then
         * includes (arch listed, every cap held, kernel at least minKernel).
         */
        String whyLeftOut(Target target) {
            List<String> why = new ArrayList<>();
            Set<String> targetArches = archNames(target.arch());
            for (String a : excludes.arches()) {
                if (targetArches.contains(a)) {
                    why.add("excludes.arches lists " + a);
                }
            }
            for (String c : excludes.caps()) {
                if (target.capabilities().contains(c)) {
                    why.add("excludes.caps lists " + c + ", which is held");
                }
            }
            // An unknown kernel counts as new enough for every minKernel (Target's contract).
            if (excludes.minKernel().isPresent()
                    && target.kernel().map(k -> k.atLeast(excludes.minKernel().get())).orElse(true)) {
                why.add("excludes.minKernel " + excludes.minKernel().get() + " <= kernel "
                        + target.kernel().map(KernelVersion::toString).orElse("(unknown, taken as new)"));
            }
            if (!includes.arches().isEmpty() && includes.arches().stream().noneMatch(targetArches::contains)) {
                why.add("includes.arches " + sorted(includes.arches()) + " lacks " + target.arch().name().toLowerCase(java.util.Locale.ROOT));
            }
            for (String c : includes.caps()) {
                if (!target.capabilities().contains(c)) {
                    why.add("includes.caps needs " + c);
                }
            }
            if (includes.minKernel().isPresent() && target.kernel().isPresent()
                    && !target.kernel().get().atLeast(includes.minKernel().get())) {
                why.add("includes.minKernel " + includes.minKernel().get() + " > kernel " + target.kernel().get());
            }
            return why.isEmpty() ? null : String.join(", ", why);
        }
    }

    /**
     * One entry of Docker's {@code archMap}.
     *
     * @param architecture     an {@code SCMP_ARCH_*} name
     * @param subArchitectures the ABIs Docker would add beside it
     */
    public record ArchMapping(String architecture, List<String> subArchitectures) {
        public ArchMapping {
            subArchitectures = List.copyOf(subArchitectures);
        }
    }

    /**
     * The names {@code includes.arches} / {@code excludes.arches} may use for
     * {@code arch}: Docker compares them with Go's {@code runtime.GOARCH}
     * ({@code amd64}, {@code arm64}); the kernel's own spelling is accepted too.
     */
    static Set<String> archNames(Arch arch) {
        switch (arch) {
            case X86_64: return Set.of("amd64", "x86_64");
            case AARCH64: return Set.of("arm64", "aarch64");
            default: throw new AssertionError(arch);
        }
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        l.sort(null);
        return l;
    }
}
