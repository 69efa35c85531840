package dev.agentd.landlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AbiTest {
    @Test
    void fromVersion_noLandlockIsEmpty() {
        for (int v : new int[] {-95, -38, -1, 0}) {
            assertEquals(Optional.empty(), Abi.fromVersion(v), "version " + v);
        }
    }

    @Test
    void fromVersion_knownVersionsMapOneToOne() {
        for (Abi abi : Abi.values()) {
            assertEquals(Optional.of(abi), Abi.fromVersion(abi.version()));
        }
        assertEquals(7, Abi.values().length);
    }

    @Test
    void fromVersion_newerKernelIsTheHighestKnown() {
        assertEquals(Optional.of(Abi.V7), Abi.fromVersion(8));
        assertEquals(Optional.of(Abi.V7), Abi.fromVersion(42));
    }

    @Test
    void kernel_namesTheReleaseThatIntroducedEachVersion() {
        assertEquals(List.of("5.13", "5.19", "6.2", "6.7", "6.10", "6.12", "6.15"),
                Arrays.stream(Abi.values()).map(Abi::kernel).toList());
        assertEquals("ABI 5 (Linux 6.10)", Abi.V5.toString());
    }

    @Test
    void isAtLeast_ordersByVersion() {
        assertTrue(Abi.V5.isAtLeast(Abi.V4));
        assertTrue(Abi.V5.isAtLeast(Abi.V5));
        assertFalse(Abi.V3.isAtLeast(Abi.V4));
    }

    @Test
    void everyRightScopeAndFlag_comesWithTheAbiTheHeaderSays() {
        assertEquals(Abi.V2, AccessFs.REFER.abi());
        assertEquals(Abi.V3, AccessFs.TRUNCATE.abi());
        assertEquals(Abi.V5, AccessFs.IOCTL_DEV.abi());
        assertEquals(Abi.V4, AccessNet.BIND_TCP.abi());
        assertEquals(Abi.V4, AccessNet.CONNECT_TCP.abi());
        assertEquals(Abi.V6, Scope.ABSTRACT_UNIX_SOCKET.abi());
        assertEquals(Abi.V6, Scope.SIGNAL.abi());
        for (RestrictSelfFlag f : RestrictSelfFlag.values()) {
            assertEquals(Abi.V7, f.abi());
        }
        for (AccessFs a : AccessFs.values()) {
            if (a.ordinal() <= AccessFs.MAKE_SYM.ordinal()) {
                assertEquals(Abi.V1, a.abi(), a.name());
            }
        }
    }
}
