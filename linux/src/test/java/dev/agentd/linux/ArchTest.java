package dev.agentd.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArchTest {
    @Test
    void syscallNumber_knownX8664Numbers() {
        // Spot checks against arch/x86/entry/syscalls/syscall_64.tbl.
        assertEquals(0, Arch.X86_64.syscallNumber("read").getAsInt());
        assertEquals(59, Arch.X86_64.syscallNumber("execve").getAsInt());
        assertEquals(56, Arch.X86_64.syscallNumber("clone").getAsInt());
        assertEquals(435, Arch.X86_64.syscallNumber("clone3").getAsInt());
        assertEquals(444, Arch.X86_64.syscallNumber("landlock_create_ruleset").getAsInt());
        assertEquals(462, Arch.X86_64.syscallNumber("mseal").getAsInt());
        assertEquals(469, Arch.X86_64.syscallNumber("file_setattr").getAsInt());
    }

    @Test
    void syscallNumber_knownAarch64Numbers() {
        // Spot checks against include/uapi/asm-generic/unistd.h.
        assertEquals(63, Arch.AARCH64.syscallNumber("read").getAsInt());
        assertEquals(221, Arch.AARCH64.syscallNumber("execve").getAsInt());
        assertEquals(220, Arch.AARCH64.syscallNumber("clone").getAsInt());
        assertEquals(79, Arch.AARCH64.syscallNumber("newfstatat").getAsInt());
        assertEquals(222, Arch.AARCH64.syscallNumber("mmap").getAsInt());
        assertEquals(444, Arch.AARCH64.syscallNumber("landlock_create_ruleset").getAsInt());
    }

    @Test
    void syscallNumber_legacyCallsAbsentOnAarch64() {
        assertFalse(Arch.AARCH64.syscallNumber("open").isPresent());
        assertFalse(Arch.AARCH64.syscallNumber("fork").isPresent());
        assertTrue(Arch.X86_64.syscallNumber("open").isPresent());
        assertFalse(Arch.AARCH64.syscallNumber("map_shadow_stack").isPresent());
    }

    @Test
    void syscallNames_numbersAreUnique() {
        for (Arch a : Arch.values()) {
            Set<Integer> seen = new HashSet<>();
            for (String n : a.syscallNames()) {
                assertTrue(seen.add(a.syscallNumber(n).getAsInt()), a + " " + n);
            }
            assertTrue(a.syscallNames().size() > 300, a + " has " + a.syscallNames().size());
        }
    }

    @Test
    void syscallName_reverseLookup() {
        assertEquals("execve", Arch.X86_64.syscallName(59));
        assertNull(Arch.X86_64.syscallName(100000));
    }

    @Test
    void ofScmpName_mapsOciNames() {
        assertEquals(Arch.X86_64, Arch.ofScmpName("SCMP_ARCH_X86_64"));
        assertEquals(Arch.AARCH64, Arch.ofScmpName("SCMP_ARCH_AARCH64"));
        assertNull(Arch.ofScmpName("SCMP_ARCH_X86"));
    }

    @Test
    void auditArch_valuesFromAuditHeader() {
        assertEquals(0xC000003EL, Arch.X86_64.auditArch());
        assertEquals(0xC00000B7L, Arch.AARCH64.auditArch());
    }
}
