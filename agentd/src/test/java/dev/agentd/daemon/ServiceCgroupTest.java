package dev.agentd.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a temp-dir fixture of a systemd host with unified cgroups. */
class ServiceCgroupTest {
    private static final String MOUNTINFO = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
            + "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";

    @TempDir
    Path root;

    private Path fixture(String ownCgroup, String mountinfo) throws IOException {
        Files.writeString(root.resolve("cgroup"), "0::" + ownCgroup + "\n");
        Files.writeString(root.resolve("mountinfo"), mountinfo);
        Path service = root.resolve("sys/fs/cgroup/system.slice/agentd.service");
        Files.createDirectories(service);
        return service;
    }

    @Test
    void place_inTheServiceCgroup_movesItselfIntoTheLeaf() throws Exception {
        Path service = fixture("/system.slice/agentd.service", MOUNTINFO);
        String parent = ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "agentd", 4242);
        assertEquals("/system.slice/agentd.service/agentd", parent);
        assertEquals("4242", Files.readString(service.resolve("supervisor/cgroup.procs")));
    }

    @Test
    void place_alreadyInTheLeaf_touchesNothing() throws Exception {
        Path service = fixture("/system.slice/agentd.service/supervisor", MOUNTINFO);
        String parent = ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "agentd", 4242);
        assertEquals("/system.slice/agentd.service/agentd", parent);
        assertFalse(Files.exists(service.resolve("supervisor")));
    }

    @Test
    void place_mountRootedBelowTheHierarchy_isRelativeToTheMount() throws Exception {
        String mi = "30 25 0:26 /system.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
        Files.writeString(root.resolve("cgroup"), "0::/system.slice/agentd.service/supervisor\n");
        Files.writeString(root.resolve("mountinfo"), mi);
        assertEquals("/agentd.service/nested/agents",
                ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "nested/agents", 1));
    }

    @Test
    void place_atTheRootOfACgroupNamespace_usesTheRoot() throws Exception {
        Files.writeString(root.resolve("cgroup"), "0::/\n");
        Files.writeString(root.resolve("mountinfo"), MOUNTINFO);
        Files.createDirectories(root.resolve("sys/fs/cgroup"));
        assertEquals("/agentd", ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "agentd", 7));
        assertEquals("7", Files.readString(root.resolve("sys/fs/cgroup/supervisor/cgroup.procs")));
    }

    @Test
    void place_badLeafOrNoCgroup2_says() throws Exception {
        fixture("/system.slice/agentd.service", MOUNTINFO);
        IOException e = assertThrows(IOException.class,
                () -> ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "a/b", "agentd", 1));
        assertTrue(e.getMessage().contains(ServiceCgroup.LEAF_ENV), e.getMessage());
        Files.writeString(root.resolve("mountinfo"), "22 1 0:21 / /proc rw,nosuid - proc proc rw\n");
        e = assertThrows(IOException.class,
                () -> ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "agentd", 1));
        assertTrue(e.getMessage().contains("no cgroup2 mount"), e.getMessage());
    }

    @Test
    void place_leafCannotBeCreated_namesDelegate() throws Exception {
        Files.writeString(root.resolve("cgroup"), "0::/system.slice/other.service\n");
        Files.writeString(root.resolve("mountinfo"), MOUNTINFO);
        IOException e = assertThrows(IOException.class,
                () -> ServiceCgroup.place(root.resolve("cgroup"), root.resolve("mountinfo"), root, "supervisor", "agentd", 1));
        assertTrue(e.getMessage().contains("Delegate=yes"), e.getMessage());
    }
}
