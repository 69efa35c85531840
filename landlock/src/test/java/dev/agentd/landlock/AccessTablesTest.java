package dev.agentd.landlock;

import static dev.agentd.landlock.AccessFs.EXECUTE;
import static dev.agentd.landlock.AccessFs.IOCTL_DEV;
import static dev.agentd.landlock.AccessFs.READ_DIR;
import static dev.agentd.landlock.AccessFs.READ_FILE;
import static dev.agentd.landlock.AccessFs.TRUNCATE;
import static dev.agentd.landlock.AccessFs.WRITE_FILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccessTablesTest {
    @Test
    void bits_matchUapiLandlockH() {
        // Literal values from include/uapi/linux/landlock.h, in header order.
        long[] fs = {1L << 0, 1L << 1, 1L << 2, 1L << 3, 1L << 4, 1L << 5, 1L << 6, 1L << 7, 1L << 8, 1L << 9,
            1L << 10, 1L << 11, 1L << 12, 1L << 13, 1L << 14, 1L << 15};
        String[] names = {"EXECUTE", "WRITE_FILE", "READ_FILE", "READ_DIR", "REMOVE_DIR", "REMOVE_FILE",
            "MAKE_CHAR", "MAKE_DIR", "MAKE_REG", "MAKE_SOCK", "MAKE_FIFO", "MAKE_BLOCK", "MAKE_SYM", "REFER",
            "TRUNCATE", "IOCTL_DEV"};
        assertEquals(fs.length, AccessFs.values().length);
        for (int i = 0; i < fs.length; i++) {
            assertEquals(names[i], AccessFs.values()[i].name());
            assertEquals(fs[i], AccessFs.values()[i].bits(), names[i]);
        }
        assertEquals(1L, AccessNet.BIND_TCP.bits());
        assertEquals(2L, AccessNet.CONNECT_TCP.bits());
        assertEquals(1L, Scope.ABSTRACT_UNIX_SOCKET.bits());
        assertEquals(2L, Scope.SIGNAL.bits());
        assertEquals(1, RestrictSelfFlag.LOG_SAME_EXEC_OFF.bits());
        assertEquals(2, RestrictSelfFlag.LOG_NEW_EXEC_ON.bits());
        assertEquals(4, RestrictSelfFlag.LOG_SUBDOMAINS_OFF.bits());
    }

    @Test
    void fromAll_growsWithEachAbi() {
        Map<Abi, Long> expected = new LinkedHashMap<>();
        expected.put(Abi.V1, 0x1fffL); // 13 basic rights
        expected.put(Abi.V2, 0x3fffL); // + REFER
        expected.put(Abi.V3, 0x7fffL); // + TRUNCATE
        expected.put(Abi.V4, 0x7fffL); // network only
        expected.put(Abi.V5, 0xffffL); // + IOCTL_DEV
        expected.put(Abi.V6, 0xffffL); // scopes only
        expected.put(Abi.V7, 0xffffL); // restrict_self flags only
        expected.forEach((abi, bits) -> assertEquals(bits, AccessFs.toBits(AccessFs.fromAll(abi)), abi.name()));
    }

    @Test
    void fromReadAndFromWrite_partitionFromAll() {
        for (Abi abi : Abi.values()) {
            EnumSet<AccessFs> read = AccessFs.fromRead(abi);
            EnumSet<AccessFs> write = AccessFs.fromWrite(abi);
            assertEquals(EnumSet.of(EXECUTE, READ_FILE, READ_DIR), read, abi.name());
            EnumSet<AccessFs> union = EnumSet.copyOf(read);
            union.addAll(write);
            assertEquals(AccessFs.fromAll(abi), union, abi.name());
            assertTrue(read.stream().noneMatch(write::contains), abi.name());
        }
        assertTrue(AccessFs.fromWrite(Abi.V2).contains(AccessFs.REFER));
        assertFalse(AccessFs.fromWrite(Abi.V1).contains(AccessFs.REFER));
    }

    @Test
    void fromFile_keepsOnlyRightsTheKernelAcceptsOnAFile() {
        assertEquals(EnumSet.of(EXECUTE, WRITE_FILE, READ_FILE), AccessFs.fromFile(Abi.V2));
        assertEquals(EnumSet.of(EXECUTE, WRITE_FILE, READ_FILE, TRUNCATE), AccessFs.fromFile(Abi.V4));
        assertEquals(EnumSet.of(EXECUTE, WRITE_FILE, READ_FILE, TRUNCATE, IOCTL_DEV), AccessFs.fromFile(Abi.V7));
    }

    @Test
    void netAndScopes_existOnlyFromTheirAbi() {
        assertEquals(EnumSet.noneOf(AccessNet.class), AccessNet.fromAll(Abi.V3));
        assertEquals(EnumSet.allOf(AccessNet.class), AccessNet.fromAll(Abi.V4));
        assertEquals(EnumSet.noneOf(Scope.class), Scope.fromAll(Abi.V5));
        assertEquals(EnumSet.allOf(Scope.class), Scope.fromAll(Abi.V6));
    }

    @Test
    void fromAll_returnsAFreshMutableSet() {
        EnumSet<AccessFs> s = AccessFs.fromAll(Abi.V3);
        s.clear();
        assertEquals(15, AccessFs.fromAll(Abi.V3).size());
    }
}
