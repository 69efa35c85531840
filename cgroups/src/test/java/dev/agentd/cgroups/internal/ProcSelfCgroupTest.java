package dev.agentd.cgroups.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.agentd.cgroups.internal.ProcSelfCgroup.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcSelfCgroupTest {

    @Test
    void parse_v1AndV2Lines() {
        List<Entry> e = ProcSelfCgroup.parse("4:memory:/process_api/abc\n2:cpu,cpuacct:/\n1:name=systemd:/x\n0::/\n");

        assertEquals(new Entry(4, List.of("memory"), "/process_api/abc"), e.get(0));
        assertEquals(List.of("cpu", "cpuacct"), e.get(1).controllers());
        assertFalse(e.get(2).isUnified());
        assertTrue(e.get(3).isUnified());
    }

    @Test
    void parse_colonInPath_kept() {
        assertEquals("/a:b", ProcSelfCgroup.parse("0::/a:b\n").get(0).path());
    }

    @Test
    void parse_malformed_rejected() {
        assertThrows(IllegalArgumentException.class, () -> ProcSelfCgroup.parse("memory:/x\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcSelfCgroup.parse("x:memory:/x\n"));
    }
}
