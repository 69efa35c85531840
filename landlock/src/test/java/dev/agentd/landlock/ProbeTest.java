package dev.agentd.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.linux.Errno;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void run_switchedOffByPropertyNeverAsksTheKernel() {
        Probe p = Probe.run(true, () -> {
            throw new AssertionError("must not probe");
        }, () -> null);
        assertFalse(p.isAvailable());
        assertEquals("switched off with -Ddev.agentd.landlock.disabled=true", p.why());
    }

    @Test
    void run_versionFromTheKernel() {
        Probe p = Probe.run(false, () -> 7, () -> null);
        assertTrue(p.isAvailable());
        assertEquals(7, p.abiVersion());
        assertNull(p.why());
    }

    @Test
    void run_enosysAndEopnotsuppExplainTheFix() {
        assertEquals("landlock_create_ruleset failed: ENOSYS; hint: the kernel is older than 5.13 or built without"
                + " CONFIG_SECURITY_LANDLOCK", Probe.run(false, () -> 0, () -> Errno.ENOSYS).why());
        assertEquals("landlock_create_ruleset failed: EOPNOTSUPP; hint: Landlock is built in but not enabled at boot:"
                + " add landlock to CONFIG_LSM or to the lsm= kernel parameter",
                Probe.run(false, () -> 0, () -> Errno.EOPNOTSUPP).why());
        assertTrue(Probe.run(false, () -> 0, () -> Errno.EPERM).why().contains("seccomp"));
    }

    @Test
    void run_brokenBindingIsUnavailableWithCause() {
        UnsatisfiedLinkError boom = new UnsatisfiedLinkError("no libc");
        Probe p = Probe.run(false, () -> {
            throw boom;
        }, () -> null);
        assertFalse(p.isAvailable());
        assertSame(boom, p.cause());
        assertTrue(p.why().startsWith("the native binding failed: "), p.why());
    }

    @Test
    void cappedAt_lowersButNeverRaises() {
        assertEquals(3, Probe.available(7).cappedAt(Abi.V3).abiVersion());
        assertEquals(2, Probe.available(2).cappedAt(Abi.V3).abiVersion());
        assertEquals(0, new Probe(0, "x", null).cappedAt(Abi.V3).abiVersion());
    }
}
