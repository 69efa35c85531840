package dev.agentd.agentctl;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Linux signal names and numbers, for {@code kill --signal} and for saying
 * how an agent died.
 *
 * <p>The numbers are those of the generic table, include/uapi/asm-generic/signal.h,
 * which x86_64 (arch/x86/include/uapi/asm/signal.h) and arm64 share; agentd
 * runs on those two. Real-time signals (32..64) have no fixed names
 * (glibc reserves the first few), so they are accepted by number only.
 */
public final class Signals {
    /** Index = signal number; index 0 is unused. */
    private static final List<String> NAMES = List.of("",
            "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
            "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
            "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",
            "SYS");
    /** _NSIG in the generic table. */
    private static final int MAX = 64;

    private Signals() {}

    /**
     * Parses {@code TERM}, {@code SIGTERM}, {@code term} or {@code 15}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static int parse(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        if (!t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
            int n;
            try {
                n = Integer.parseInt(t);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n >= 1 && n <= MAX) {
                return n;
            }
            throw new IllegalArgumentException("signal number " + s + " is out of range 1-" + MAX);
        }
        if (t.startsWith("SIG")) {
            t = t.substring(3);
        }
        int n = NAMES.indexOf(t);
        if (n > 0) {
            return n;
        }
        throw new IllegalArgumentException("unknown signal '" + s + "' (use a name like TERM, KILL, INT, HUP, "
                + "or a number 1-" + MAX + ")");
    }

    /** {@code SIGKILL} for 9; {@code signal 40} where there is no fixed name. */
    public static String name(int signal) {
        return signal > 0 && signal < NAMES.size() ? "SIG" + NAMES.get(signal) : "signal " + signal;
    }

    /** picocli converter: turns a bad signal into a usage error (exit 2). */
    public static final class Converter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
