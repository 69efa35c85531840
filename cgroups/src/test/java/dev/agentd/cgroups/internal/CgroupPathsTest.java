package dev.agentd.cgroups.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupPathsTest {

    @Test
    void parentDir_relative_belowOwnPath() {
        assertEquals(Path.of("/sys/fs/cgroup/memory/p/abc/agentd"),
                CgroupPaths.parentDir(Path.of("/sys/fs/cgroup/memory"), "/p/abc", "agentd"));
    }

    @Test
    void parentDir_absolute_ignoresOwnPath() {
        assertEquals(Path.of("/sys/fs/cgroup/memory/x/y"),
                CgroupPaths.parentDir(Path.of("/sys/fs/cgroup/memory"), "/p/abc", "/x/y"));
        assertEquals(Path.of("/sys/fs/cgroup"), CgroupPaths.parentDir(Path.of("/sys/fs/cgroup"), "/p", "/"));
    }

    @Test
    void relativeTo_mountRoot() {
        assertEquals("/a/b", CgroupPaths.relativeTo("/", "/a/b"));
        assertEquals("/", CgroupPaths.relativeTo("/docker/x", "/docker/x"));
        assertEquals("/sub", CgroupPaths.relativeTo("/docker/x", "/docker/x/sub"));
        assertNull(CgroupPaths.relativeTo("/docker/x", "/docker/xy"));
    }

    @Test
    void checkName_rejectsPathsAndDots() {
        assertEquals("agent-1", CgroupPaths.checkName("agent-1"));
        for (String bad : new String[] {"", ".", "..", "a/b", "a\nb", "x".repeat(256)}) {
            assertThrows(IllegalArgumentException.class, () -> CgroupPaths.checkName(bad), bad);
        }
    }

    @Test
    void checkParent_rejectsDotDotAndEmptyComponents() {
        CgroupPaths.checkParent("agentd");
        CgroupPaths.checkParent("/agentd/x");
        CgroupPaths.checkParent("/");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CgroupPaths.checkParent("a/../b"));
        assertEquals("invalid cgroup parent \"a/../b\": component \"..\" is not a valid directory name", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CgroupPaths.checkParent("a//b"));
        assertThrows(IllegalArgumentException.class, () -> CgroupPaths.checkParent(""));
    }
}
