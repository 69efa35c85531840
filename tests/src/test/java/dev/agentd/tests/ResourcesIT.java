package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * cgroup limits hold against agents that push them: a fork bomb, a memory
 * hog, a CPU spinner, a /tmp filler. Assertions are on what the kernel and
 * agentd account, never on how long things take.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResourcesIT {
    static AgentdHarness agentd;

    @BeforeAll
    static void start() throws Exception {
        Kernel.requireAgentd();
        agentd = AgentdHarness.start();
    }

    @AfterAll
    static void stop() {
        if (agentd != null) {
            agentd.close();
        }
    }

    /**
     * Every process of the bomb forks as fast as it can until a deadline a
     * few seconds ahead, then exits: the bomb ends by itself, so the only
     * thing that can stop it before is pids.max.
     */
    static final String FORK_BOMB = """
            import os, time
            end = time.time() + 6
            root = True
            made = fails = 0
            while time.time() < end:
                try:
                    pid = os.fork()
                except OSError:
                    fails += 1
                    time.sleep(0.005)
                    continue
                if pid == 0:
                    root = False
                    made = fails = 0
                else:
                    made += 1
            if root:
                print(f"made {made} refused {fails}", flush=True)
            else:
                os._exit(0)
            """;

    @Test
    void fork_bomb_is_contained_by_pids() throws Exception {
        int hostTasksBefore = hostProcesses();
        String id = agentd.spawnId(Manifests.python(Manifests.name("fork-bomb"), "resources:\n  pids: 32\n", FORK_BOMB,
                List.of()));
        Path pidsDir = CgroupDirs.agent(agentd.cgroupParent(), id, "pids").orElseThrow();
        assertEquals("32", CgroupDirs.read(pidsDir.resolve("pids.max")));
        long maxCurrent = 0;
        int maxHost = 0;
        int statusAnswers = 0;
        try (Rpc other = agentd.client()) {
            // While it rages: sample its cgroup and the host, and make sure agentd answers.
            while (!"exited".equals(agentd.status(id).path("state").asText())) {
                try {
                    maxCurrent = Math.max(maxCurrent, Long.parseLong(CgroupDirs.read(pidsDir.resolve("pids.current"))));
                } catch (java.io.UncheckedIOException e) {
                    break; // the cgroup is gone: the bomb ended
                }
                maxHost = Math.max(maxHost, hostProcesses());
                JsonNode st = other.call("daemon.status", Map.of());
                assertTrue(st.path("agents_running").asInt() >= 1, st.toString());
                statusAnswers++;
                JsonNode rec = agentd.status(id);
                if (rec.path("resources").isObject()) {
                    assertTrue(rec.path("resources").path("pids_current").asLong() <= 32, rec.toString());
                }
                Thread.sleep(100);
            }
        }
        JsonNode rec = agentd.await(id, 60);
        List<String> log = agentd.logs(id);
        assertEquals(0, rec.path("exit_code").asInt(-1), "the bomb ends by itself: " + rec + " " + log);
        assertTrue(statusAnswers > 0, "agentd answered daemon.status during the bomb");
        assertTrue(maxCurrent <= 32, "pids.current reached " + maxCurrent);
        // Other work on this machine may start processes meanwhile: the bound is loose, the
        // per-cgroup one above is the exact one.
        assertTrue(maxHost < hostTasksBefore + 256, "host processes went from " + hostTasksBefore + " to " + maxHost);
        String summary = log.stream().filter(l -> l.startsWith("made ")).findFirst().orElseThrow(() -> new AssertionError(log));
        String[] f = summary.split(" ");
        assertTrue(Integer.parseInt(f[1]) > 0, "the bomb forked at all: " + summary);
        assertTrue(Integer.parseInt(f[3]) > 0, "pids.max refused forks: " + summary);
        JsonNode exit = agentd.audit().await("exit", id, Duration.ofSeconds(10));
        assertTrue(exit.path("details").path("resources").path("pids_current").asLong() <= 32, exit.toString());
    }

    static final String MEMORY_HOG = """
            blocks = []
            while True:
                blocks.append(bytearray(1 << 20))
            """;

    @Test
    void memory_hog_is_oom_killed_and_its_neighbour_lives_on() throws Exception {
        String neighbour = agentd.spawnId(Manifests.sh(Manifests.name("neighbour"), "resources:\n  memory: 64M\n",
                "while :; do sleep 1; done"));
        long neighbourPid = agentd.status(neighbour).get("pid").asLong();
        String hog = agentd.spawnId(Manifests.python(Manifests.name("memory-hog"), "resources:\n  memory: 64M\n",
                MEMORY_HOG, List.of()));
        JsonNode rec = agentd.await(hog, 60);
        assertEquals("exited", rec.path("state").asText(), rec.toString());
        assertEquals(9, rec.path("exit_signal").asInt(-1), "killed by SIGKILL (the OOM killer): " + rec);
        JsonNode exit = agentd.audit().await("exit", hog, Duration.ofSeconds(10));
        JsonNode res = exit.path("details").path("resources");
        assertTrue(res.path("oom_kills").asLong() >= 1, "oom_kills in the exit record: " + exit);
        assertTrue(res.path("memory_peak").asLong() <= (64L << 20) + (1L << 20), "peak within the limit: " + exit);
        assertTrue(agentd.audit().events("kill", hog).isEmpty(), "agentd did not kill it; the kernel did");

        JsonNode n = agentd.status(neighbour);
        assertEquals("running", n.path("state").asText(), n.toString());
        assertEquals(neighbourPid, n.path("pid").asLong());
        assertTrue(ProcessHandle.of(neighbourPid).map(ProcessHandle::isAlive).orElse(false));
        assertTrue(agentd.daemonStatus().path("agents_running").asInt() >= 1);
        assertEquals(9, agentd.killAndAwait(neighbour).path("exit_signal").asInt());
    }

    static final String SPIN = """
            import time
            start = time.monotonic()
            while time.monotonic() - start < 3:
                pass
            print(f"wall {time.monotonic() - start:.3f} cpu {time.process_time():.3f}", flush=True)
            """;

    /** 0.2 CPU: spinning for 3 s of wall clock gets about 0.6 s of CPU, never a whole CPU's worth. */
    @Test
    void cpu_quota_holds() throws Exception {
        String id = agentd.spawnId(Manifests.python(Manifests.name("spinner"), "resources:\n  cpus: \"0.2\"\n", SPIN,
                List.of()));
        Path cpuDir = CgroupDirs.agent(agentd.cgroupParent(), id, "cpu").orElseThrow();
        long quota = Long.parseLong(CgroupDirs.read(cpuDir.resolve("cpu.cfs_quota_us")));
        long period = Long.parseLong(CgroupDirs.read(cpuDir.resolve("cpu.cfs_period_us")));
        assertEquals(0.2, (double) quota / period, 0.001, "quota " + quota + " / period " + period);
        JsonNode rec = agentd.await(id, 60);
        assertEquals(0, rec.path("exit_code").asInt(-1), rec.toString());
        String line = agentd.logs(id).stream().filter(l -> l.startsWith("wall ")).findFirst().orElseThrow();
        double wall = Double.parseDouble(line.split(" ")[1]);
        JsonNode exit = agentd.audit().await("exit", id, Duration.ofSeconds(10));
        long cpuUsec = exit.path("details").path("resources").path("cpu_usage_usec").asLong(-1);
        assertTrue(cpuUsec > 0, "CPU usage is accounted: " + exit);
        assertTrue(cpuUsec < 0.5 * wall * 1_000_000, "used " + cpuUsec + " us of CPU in " + wall + " s (" + line + ")");
    }

    static final String TMP_FILLER = """
            import errno, os
            written = 0
            try:
                with open("/tmp/fill", "wb") as f:
                    for _ in range(16):
                        f.write(b"\\0" * (1 << 20))
                        f.flush()
                        written += 1 << 20
                print(f"wrote {written} ok", flush=True)
            except OSError as e:
                print(f"wrote {written} {errno.errorcode.get(e.errno)}", flush=True)
            """;

    @Test
    void tmp_size_holds() throws Exception {
        JsonNode rec = agentd.run(Manifests.python(Manifests.name("tmp-filler"), "resources:\n  tmp_size: 8M\n",
                TMP_FILLER, List.of()));
        assertEquals(0, rec.path("exit_code").asInt(-1), rec.toString());
        String line = agentd.logs(rec.get("id").asText()).stream().filter(l -> l.startsWith("wrote ")).findFirst()
                .orElseThrow();
        String[] f = line.split(" ");
        assertEquals("ENOSPC", f[2], line);
        long written = Long.parseLong(f[1]);
        assertTrue(written <= 8L << 20, line);
        assertTrue(written >= 4L << 20, "a real tmpfs of about 8 MiB: " + line);
    }

    static int hostProcesses() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc"))) {
            return (int) s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
        }
    }
}
