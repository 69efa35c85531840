package dev.agentd.cgroups.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentd.cgroups.CgroupException;
import dev.agentd.cgroups.CgroupLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ValuesTest {

    @Test
    void keyed_readsNumbersSkipsOthers() {
        assertEquals(Map.of("oom_kill_disable", 0L, "under_oom", 0L, "oom_kill", 2L),
                Values.keyed("oom_kill_disable 0\nunder_oom 0\noom_kill 2\nweird a b\n"));
    }

    @Test
    void words_splitsOnWhitespace() {
        assertEquals(Set.of("cpu", "memory"), Values.words(" cpu  memory\n"));
        assertEquals(Set.of(), Values.words("\n"));
    }

    @Test
    void ids_parsesAndRejectsGarbage() throws Exception {
        assertEquals(List.of(1L, 22L), Values.ids(Path.of("p"), "1\n22\n"));
        CgroupException e = assertThrows(CgroupException.class, () -> Values.ids(Path.of("/x/cgroup.procs"), "1\nz\n"));
        assertEquals("read /x/cgroup.procs: not a process id: \"z\"", e.getMessage());
    }

    @Test
    void format_maxPerVersion() {
        assertEquals("max", Values.v2(CgroupLimits.MAX));
        assertEquals("-1", Values.v1(CgroupLimits.MAX));
        assertEquals("42", Values.v1(42));
    }

    @Test
    void sortedUnion_dedups() {
        assertEquals(List.of(1L, 2L, 3L), Values.sortedUnion(List.of(List.of(3L, 1L), List.of(2L, 3L))));
    }
}
