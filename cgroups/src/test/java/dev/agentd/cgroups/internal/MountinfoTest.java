package dev.agentd.cgroups.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentd.cgroups.internal.Mountinfo.Mount;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MountinfoTest {

    @Test
    void parse_optionalFields_skippedUpToSeparator() {
        List<Mount> m = Mountinfo.parse(
                "29 25 0:26 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:13 master:2 - cgroup cgroup rw,cpu,cpuacct\n",
                Path.of("/"));

        assertEquals(List.of(new Mount("/", Path.of("/sys/fs/cgroup/cpu,cpuacct"), "cgroup", Set.of("rw", "cpu", "cpuacct"))), m);
    }

    @Test
    void parse_mountPoint_resolvedAgainstRoot() {
        List<Mount> m = Mountinfo.parse("41 31 0:38 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n", Path.of("/tmp/fx"));

        assertEquals(Path.of("/tmp/fx/sys/fs/cgroup/unified"), m.get(0).mountPoint());
        assertEquals("cgroup2", m.get(0).fsType());
    }

    @Test
    void parse_octalEscapes_decoded() {
        List<Mount> m = Mountinfo.parse("50 1 0:40 /a\\040b /mnt/my\\040dir rw - tmpfs tmpfs rw\n", Path.of("/"));

        assertEquals(Path.of("/mnt/my dir"), m.get(0).mountPoint());
        assertEquals("/a b", m.get(0).root());
    }

    @Test
    void parse_malformed_rejected() {
        assertThrows(IllegalArgumentException.class, () -> Mountinfo.parse("1 2 3\n", Path.of("/")));
        assertThrows(IllegalArgumentException.class, () -> Mountinfo.parse("1 2 0:1 / /x rw cgroup cgroup rw\n", Path.of("/")));
    }

    @Test
    void unescape_backslashNotOctal_kept() {
        assertEquals("a\\b", Mountinfo.unescape("a\\b"));
        assertEquals("a\\", Mountinfo.unescape("a\\"));
    }
}
