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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How an agent ended is known although agentd, its parent, was down when it
 * ended, or was a later agentd that re-adopted it (not its parent): on
 * Linux ≥ 6.15 through a pidfd parked with a keeper (pidfd PIDFD_INFO_EXIT).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ExitStatusAcrossRestartIT {
    /** Ends with {@code code} when the host drops /workspace/exit into its workspace (or after 60 s). */
    static String exitsWith(int code) {
        return """
                i=0
                while [ ! -e /workspace/exit ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
                exit %d
                """.formatted(code);
    }

    @Test
    void exit_codes_and_signals_survive_an_agentd_restart() throws Exception {
        Kernel.requireAgentd();
        Kernel.requirePidfdInfoExit();
        Path root = Dirs.temp("agentd-exit-status-");
        try (AgentdHarness agentd = AgentdHarness.startProcess(root)) {
            String whileDown = agentd.spawnId(Manifests.sh(Manifests.name("seven"), "", exitsWith(7)));
            String afterAdoption = agentd.spawnId(Manifests.sh(Manifests.name("three"), "", exitsWith(3)));
            String killed = agentd.spawnId(Manifests.sh(Manifests.name("killed"), "", "while :; do sleep 1; done"));
            long whileDownPid = agentd.status(whileDown).get("pid").asLong();
            long killedPid = agentd.status(killed).get("pid").asLong();
            for (String id : List.of(whileDown, afterAdoption, killed)) {
                assertEquals(1, keepers(agentd, id).size(), "one exit-status keeper in the cgroup of " + id);
            }

            agentd.killDaemonHard();
            Files.writeString(agentd.workspace(whileDown).resolve("exit"), "");
            new ProcessBuilder("kill", "-9", Long.toString(killedPid)).inheritIO().start().waitFor();
            // Reaped, not a zombie: then only the parked pidfd still knows how it ended.
            awaitReaped(whileDownPid);
            awaitReaped(killedPid);
            assertEquals(1, keepers(agentd, whileDown).size(), "the keeper outlives agentd and the agent");

            agentd.restartProcess();
            JsonNode seven = agentd.status(whileDown);
            assertEquals("exited", seven.path("state").asText(), seven.toString());
            assertEquals(7, seven.path("exit_code").asInt(-1), seven.toString());
            assertTrue(seven.path("exit_signal").isNull(), seven.toString());
            JsonNode sevenExit = agentd.audit().await("exit", whileDown, Duration.ofSeconds(10));
            assertEquals(7, sevenExit.path("details").path("exit_code").asInt(-1), sevenExit.toString());
            assertEquals("ended while agentd was not running", sevenExit.path("details").path("note").asText(),
                    sevenExit.toString());

            JsonNode nine = agentd.status(killed);
            assertEquals("exited", nine.path("state").asText(), nine.toString());
            assertTrue(nine.path("exit_code").isNull(), nine.toString());
            assertEquals(9, nine.path("exit_signal").asInt(-1), nine.toString());

            assertEquals("running", agentd.status(afterAdoption).path("state").asText());
            Files.writeString(agentd.workspace(afterAdoption).resolve("exit"), "");
            JsonNode three = agentd.await(afterAdoption, 60);
            assertEquals("exited", three.path("state").asText(), three.toString());
            assertEquals(3, three.path("exit_code").asInt(-1), three.toString());
            assertEquals(3, agentd.audit().await("exit", afterAdoption, Duration.ofSeconds(10))
                    .path("details").path("exit_code").asInt(-1));

            assertEquals(new TreeSet<>(), CgroupDirs.agentCgroups(agentd.cgroupParent()), "no agent cgroup left");
        }
    }

    /** Until {@code pid} has ended and its new parent (this machine's init) has reaped it. */
    static void awaitReaped(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(Path.of("/proc/" + pid))) {
            assertFalse(System.nanoTime() > deadline, "agent " + pid + " not reaped after 30 s (alive: "
                    + CrashRecoveryIT.alive(pid) + ")");
            Thread.sleep(20);
        }
    }

    /** The exit-status keepers in the agent's memory cgroup. */
    static List<Long> keepers(AgentdHarness agentd, String id) {
        return CgroupDirs.exitKeepers(CgroupDirs.procs(CgroupDirs.agent(agentd.cgroupParent(), id, "memory").orElseThrow()));
    }
}
