package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Sizes and path lengths of the two reference profiles, written to
 * {@code target/seccomp-figures.txt}. The executed figure is measured with
 * the interpreter (max over every syscall number and the argument vectors
 * around each rule); the static one is the longest path in the program's
 * control-flow graph, an upper bound.
 */
class FiguresTest {

    @Test
    void figures() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Arch arch : Arch.values()) {
            for (String label : new String[] {"agent-default", "docker-default"}) {
                SeccompProfile p = label.equals("agent-default") ? SeccompProfiles.agentDefault() : TestProfiles.docker();
                Target t = Target.of(arch);
                Compilation c = Seccomp.compile(p, t);
                int executed = Figures.longestExecutedPath(c.program(), p, t);
                int bound = Figures.longestStaticPath(c.program());
                assertTrue(executed <= bound, label + " " + arch + ": " + executed + " > " + bound);
                assertTrue(executed < 40, label + " " + arch + ": longest executed path " + executed);
                sb.append(String.format("%-15s %-8s %4d instructions, longest executed path %2d, static bound %2d,"
                                + " %3d syscalls with rules, %3d dispatch ranges%n",
                        label, arch, c.program().length(), executed, bound, c.report().syscallsWithRules(),
                        c.report().dispatchRanges()));
            }
        }
        Path out = Path.of("target", "seccomp-figures.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, sb.toString());
        System.out.print(sb);
    }
}
