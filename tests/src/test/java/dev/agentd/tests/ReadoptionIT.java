package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a re-adopting agentd gets right although it runs somewhere else than the agentd that spawned the agents. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadoptionIT {

    /**
     * agentd restarted in another v1 memory cgroup computes other parent
     * directories there; it must clean up the agent's cgroups where they were
     * made (recorded at spawn), in every hierarchy.
     */
    @Test
    void an_agentd_restarted_in_another_memory_cgroup_removes_the_re_adopted_agents_cgroups() throws Exception {
        Kernel.requireAgentd();
        Kernel.requireCgroupV1();
        Path moved = ownV1("memory").resolve("agentd-moved-" + ProcessHandle.current().pid());
        Files.createDirectory(moved);
        Path root = Dirs.temp("agentd-moved-");
        try (AgentdHarness agentd = AgentdHarness.startProcess(root)) {
            String id = agentd.spawnId(Manifests.sh(Manifests.name("stays"), "", "while :; do sleep 1; done"));
            Path memory = CgroupDirs.agent(agentd.cgroupParent(), id, "memory").orElseThrow();
            assertFalse(memory.startsWith(moved));

            agentd.killDaemonHard();
            agentd.restartProcessIn(List.of(moved));
            String own = Files.readString(Path.of("/proc/" + agentd.process().pid() + "/cgroup"));
            assertTrue(own.lines().anyMatch(l -> l.contains(":memory:") && l.endsWith("/" + moved.getFileName())), own);
            assertEquals("running", agentd.status(id).path("state").asText());

            JsonNode stopped = agentd.stopBounded(id, 5, Duration.ofSeconds(30));
            assertEquals("exited", stopped.path("state").asText(), stopped.toString());
            assertFalse(Files.exists(memory), "the agent's memory cgroup " + memory + " is left");
            assertEquals(List.of(), CgroupDirs.agent(agentd.cgroupParent(), id), "cgroups of the agent left");
            assertEquals(new TreeSet<>(), CgroupDirs.agentCgroups(agentd.cgroupParent()), "no agent cgroup left");
        } finally {
            removeEmptyTree(moved);
        }
    }

    /** This JVM's own cgroup in the v1 hierarchy of {@code controller}. */
    static Path ownV1(String controller) throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] f = l.split(":", 3);
            if (f.length == 3 && List.of(f[1].split(",")).contains(controller)) {
                return CgroupDirs.ROOT.resolve(controller).resolve(f[2].substring(1));
            }
        }
        throw new IllegalStateException("no v1 " + controller + " hierarchy in /proc/self/cgroup");
    }

    /** Removes the cgroup directories below {@code dir} and it, deepest first (agentd's parents there). */
    static void removeEmptyTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> dirs = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isDirectory).forEach(dirs::add);
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path d : dirs) {
            Files.deleteIfExists(d);
        }
    }
}
