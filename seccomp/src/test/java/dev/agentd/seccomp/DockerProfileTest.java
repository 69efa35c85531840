package dev.agentd.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Arch;
import dev.agentd.linux.Errno;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Docker's default profile (the fixture, unmodified) loads as-is and
 * behaves as its rules say for a process without capabilities.
 */
class DockerProfileTest {
    static final Action EPERM = Action.errno(Errno.EPERM);

    @Test
    void fixture_parsesWithDockersExtensions() {
        SeccompProfile p = TestProfiles.docker();
        assertEquals(EPERM, p.defaultAction());
        assertEquals("SCMP_ARCH_X86_64", p.archMap().get(0).architecture());
        assertEquals(java.util.List.of("SCMP_ARCH_X86", "SCMP_ARCH_X32"), p.archMap().get(0).subArchitectures());
        SeccompProfile.Rule clone = p.syscalls().get(18);
        assertEquals(java.util.List.of("clone"), clone.names());
        assertEquals(SeccompProfile.Arg.maskedEq(0, 0x7E020000L, 0), clone.args().get(0));
        assertEquals(Set.of("CAP_SYS_ADMIN"), clone.excludes().caps());
        assertEquals(Set.of("s390", "s390x"), clone.excludes().arches());
        assertEquals("s390 parameter ordering for clone is different", p.syscalls().get(19).comment());
        assertEquals(new KernelVersion(4, 8), p.syscalls().get(1).includes().minKernel().orElseThrow());
    }

    @Test
    void withoutCapabilities_behavesAsDockerDocuments() {
        for (Arch arch : Arch.values()) {
            BpfProgram p = TestProfiles.compile(TestProfiles.docker(), Target.of(arch).withKernel(new KernelVersion(6, 18)));
            assertEquals(Action.ALLOW, answer(p, arch, "read"));
            assertEquals(Action.ALLOW, answer(p, arch, "clone", 0x3d0f00));
            assertEquals(EPERM, answer(p, arch, "clone", 0x01200011 | 0x10000000L), "CLONE_NEWUSER");
            assertEquals(Action.errno(Errno.ENOSYS), answer(p, arch, "clone3"));
            assertEquals(EPERM, answer(p, arch, "unshare"));
            assertEquals(EPERM, answer(p, arch, "mount"));
            assertEquals(EPERM, answer(p, arch, "bpf"));
            assertEquals(Action.ALLOW, answer(p, arch, "personality", 8));
            assertEquals(EPERM, answer(p, arch, "personality", 0x1234));
            // ptrace is allowed from Linux 4.8 (includes.minKernel), where seccomp can no longer be bypassed through it.
            assertEquals(Action.ALLOW, answer(p, arch, "ptrace"));
            // socket: families below 38, 39 (AF_NFC) and above 40.
            assertEquals(Action.ALLOW, answer(p, arch, "socket", 2));
            assertEquals(EPERM, answer(p, arch, "socket", 38));
            assertEquals(Action.ALLOW, answer(p, arch, "socket", 39));
            assertEquals(EPERM, answer(p, arch, "socket", 40));
            assertEquals(Action.ALLOW, answer(p, arch, "socket", 41));
            assertEquals(EPERM, answer(p, arch, "open_by_handle_at"));
        }
        BpfProgram x86 = TestProfiles.compile(TestProfiles.docker(), Target.of(Arch.X86_64));
        assertEquals(Action.ALLOW, answer(x86, Arch.X86_64, "arch_prctl"), "includes.arches amd64");
        assertEquals(Action.ALLOW, answer(x86, Arch.X86_64, "modify_ldt"));
        assertEquals(EPERM, answer(x86, Arch.X86_64, "iopl"));
    }

    @Test
    void oldKernel_leavesPtraceOut() {
        BpfProgram p = TestProfiles.compile(TestProfiles.docker(), Target.of(Arch.X86_64).withKernel(new KernelVersion(4, 4)));
        assertEquals(EPERM, answer(p, Arch.X86_64, "ptrace"));
        assertEquals(EPERM, answer(p, Arch.X86_64, "process_vm_readv"));
    }

    @Test
    void capabilities_switchRulesOnAndOff() {
        Target admin = Target.of(Arch.X86_64).withCapabilities(Set.of("CAP_SYS_ADMIN", "CAP_DAC_READ_SEARCH"));
        BpfProgram p = TestProfiles.compile(TestProfiles.docker(), admin);
        assertEquals(Action.ALLOW, answer(p, Arch.X86_64, "clone", 0x10000000L | 0x11), "excludes.caps dropped the mask rule");
        assertEquals(Action.ALLOW, answer(p, Arch.X86_64, "clone3"), "includes.caps CAP_SYS_ADMIN");
        assertEquals(Action.ALLOW, answer(p, Arch.X86_64, "mount"));
        assertEquals(Action.ALLOW, answer(p, Arch.X86_64, "open_by_handle_at"));
        assertEquals(EPERM, answer(p, Arch.X86_64, "reboot"), "needs CAP_SYS_BOOT");
    }

    @Test
    void aarch64_takesItsArmRules() throws Exception {
        CompileReport r = Seccomp.compile(TestProfiles.docker(), Target.of(Arch.AARCH64)).report();
        // includes.arches [arm, arm64] applies; its names are 32-bit ARM calls aarch64 lacks.
        assertTrue(r.leftOutRules().stream().noneMatch(l -> l.location().equals("syscalls[11]")), r.summary());
        assertTrue(r.skippedNames().stream().anyMatch(s -> s.name().equals("arm_fadvise64_64")), r.summary());
        assertTrue(r.leftOutRules().stream().anyMatch(l -> l.location().equals("syscalls[12]")), "arch_prctl is amd64-only");
    }

    static Action answer(BpfProgram p, Arch arch, String name, long... args) {
        return p.evaluate(SeccompData.of(arch, name, args)).action();
    }
}
