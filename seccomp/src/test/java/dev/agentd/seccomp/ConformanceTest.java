package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every syscall number of the x86_64 and aarch64 tables (and their
 * neighbours and the edges of the number space), with argument vectors
 * around every rule's constants, through the compiled program and the
 * interpreter — compared with {@link Reference}, which reads the profile
 * model directly.
 */
class ConformanceTest {

    static Stream<Arguments> targets() {
        List<Arguments> out = new ArrayList<>();
        for (Arch arch : Arch.values()) {
            Target none = Target.of(arch);
            out.add(Arguments.of("agent-default", SeccompProfiles.agentDefault(), none));
            out.add(Arguments.of("docker", TestProfiles.docker(), none));
            out.add(Arguments.of("docker, kernel 4.4", TestProfiles.docker(), none.withKernel(new KernelVersion(4, 4))));
            out.add(Arguments.of("docker, CAP_SYS_ADMIN", TestProfiles.docker(),
                    none.withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_SYS_PTRACE")).withKernel(new KernelVersion(6, 18))));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("targets")
    void everySyscall_programAgreesWithModel(String label, SeccompProfile profile, Target target) {
        BpfProgram program = TestProfiles.compile(profile, target);
        Arch arch = target.arch();
        int checked = 0;
        for (int nr : Figures.interestingNumbers(arch)) {
            String name = Reference.names(arch).get(nr);
            List<long[]> vectors = name == null ? List.of(new long[6]) : Reference.argVectors(profile, target, name);
            for (long[] args : vectors) {
                SeccompData d = SeccompData.of(arch, nr, args);
                Action expected = Reference.evaluate(profile, target, d);
                Evaluation got = program.evaluate(d);
                if (!expected.equals(got.action())) {
                    throw new AssertionError(label + " on " + arch + ": " + (name == null ? "nr " + nr : name) + " "
                            + d + " -> " + got.action() + ", the profile says " + expected);
                }
                checked++;
            }
        }
        assertTrue(checked > arch.syscallNames().size(), "checked " + checked);
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("targets")
    void foreignArchitecture_isKilled(String label, SeccompProfile profile, Target target) {
        BpfProgram program = TestProfiles.compile(profile, target);
        long[] foreign = {
            Arch.X86_64.auditArch() == target.arch().auditArch() ? Arch.AARCH64.auditArch() : Arch.X86_64.auditArch(),
            0x40000003L, // AUDIT_ARCH_I386 = EM_386 | __AUDIT_ARCH_LE (include/uapi/linux/audit.h)
            0x40000028L, // AUDIT_ARCH_ARM = EM_ARM | __AUDIT_ARCH_LE
            0x0L,
            0xffffffffL,
            target.arch().auditArch() ^ 1,
        };
        for (long arch : foreign) {
            for (int nr : new int[] {0, 1, 2, 59, 63, 220, 435}) {
                SeccompData d = SeccompData.of(target.arch(), nr).withArch(arch);
                assertEquals(Action.KILL_PROCESS, program.evaluate(d).action(), label + " " + d);
            }
        }
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("targets")
    void x32Numbers_areKilledOnX8664(String label, SeccompProfile profile, Target target) {
        BpfProgram program = TestProfiles.compile(profile, target);
        for (String name : List.of("read", "write", "openat", "execve", "getpid", "clone", "mmap")) {
            int nr = target.arch().syscallNumber(name).getAsInt();
            for (int x32 : new int[] {nr | Arch.X32_SYSCALL_BIT, 0x40000000 + 512, 0x7fffffff, -1}) {
                SeccompData d = SeccompData.of(target.arch(), x32);
                Action expected = target.arch() == Arch.X86_64 ? Action.KILL_PROCESS : profile.defaultAction();
                assertEquals(expected, program.evaluate(d).action(), label + " " + d);
            }
        }
    }
}
