package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Dirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * agentd is SIGKILLed while agents run; the agents live on; a new agentd on
 * the same root re-adopts them (same ids, same pids), records their later
 * exits and can stop them, and no cgroup is left at the end.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CrashRecoveryIT {

    @Test
    void agents_outlive_a_killed_agentd_and_are_re_adopted() throws Exception {
        Kernel.requireAgentd();
        Path root = Dirs.temp("agentd-crash-");
        try (AgentdHarness agentd = AgentdHarness.startProcess(root)) {
            String longId = agentd.spawnId(Manifests.sh(Manifests.name("long"), "", "while :; do sleep 1; done"));
            // Ends when the host drops /workspace/exit into its workspace (or after 30 s at most).
            String shortId = agentd.spawnId(Manifests.sh(Manifests.name("short"), "", """
                    i=0
                    while [ ! -e /workspace/exit ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
                    exit 3
                    """));
            long longPid = agentd.status(longId).get("pid").asLong();
            long shortPid = agentd.status(shortId).get("pid").asLong();
            long firstDaemon = agentd.process().pid();

            agentd.killDaemonHard();
            assertFalse(ProcessHandle.of(firstDaemon).map(ProcessHandle::isAlive).orElse(false));
            for (long pid : List.of(longPid, shortPid)) {
                assertTrue(alive(pid), "agent " + pid + " died with agentd");
            }
            assertFalse(CgroupDirs.agent(agentd.cgroupParent(), longId).isEmpty(), "cgroups stay while agentd is gone");

            agentd.restartProcess();
            assertTrue(agentd.process().pid() != firstDaemon);
            Map<String, JsonNode> running = agentd.list(false).stream()
                    .collect(Collectors.toMap(a -> a.get("id").asText(), a -> a));
            assertEquals(new TreeSet<>(List.of(longId, shortId)), new TreeSet<>(running.keySet()), running.toString());
            assertEquals("running", running.get(longId).path("state").asText());
            assertEquals("running", running.get(shortId).path("state").asText());
            assertEquals(longPid, running.get(longId).path("pid").asLong(), "same pid: re-adopted, not restarted");
            assertEquals(shortPid, running.get(shortId).path("pid").asLong(), "same pid: re-adopted, not restarted");
            agentd.audit().await("adopt", longId, Duration.ofSeconds(10));
            agentd.audit().await("adopt", shortId, Duration.ofSeconds(10));
            JsonNode start = agentd.audit().await(e -> "daemon.start".equals(e.path("event").asText())
                    && e.path("details").path("agents_adopted").asInt() == 2, Duration.ofSeconds(10), "daemon.start with 2 adopted");
            assertNotNull(start);
            assertEquals(2, agentd.daemonStatus().path("agents_running").asInt());

            // The short one ends on its own: its exit is recorded; the status is unknown to a non-parent.
            Files.writeString(agentd.workspace(shortId).resolve("exit"), "");
            JsonNode rec = agentd.await(shortId, 60);
            assertEquals("exited", rec.path("state").asText(), rec.toString());
            assertTrue(rec.path("exit_code").isNull() || rec.path("exit_code").asInt() == 3, rec.toString());
            assertFalse(rec.path("exited_at").isNull(), rec.toString());
            JsonNode exit = agentd.audit().await("exit", shortId, Duration.ofSeconds(10));
            assertNotNull(exit);
            assertEquals(List.of(), CgroupDirs.agent(agentd.cgroupParent(), shortId), "cgroup of the ended agent removed");
            assertFalse(alive(shortPid));

            // The long one is stopped through the new agentd.
            JsonNode stopped = agentd.stopBounded(longId, 5, Duration.ofSeconds(30));
            assertEquals("exited", stopped.path("state").asText(), stopped.toString());
            agentd.audit().await("exit", longId, Duration.ofSeconds(10));
            assertFalse(alive(longPid), "the long agent is gone");
            assertEquals(List.of(), agentd.list(false), "nothing left running");
            assertEquals(new TreeSet<>(), CgroupDirs.agentCgroups(agentd.cgroupParent()), "no agent cgroup left");
        }
    }

    /** Alive and not a zombie waiting for a new parent to reap it. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
