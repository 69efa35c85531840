package dev.agentd.tests.toolcall;

import static dev.agentd.tests.toolcall.Driver.cmd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.tests.support.CgroupDirs;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Idle agents cost agentd no threads: exits are learnt by one reaper over
 * every agent's pidfd and tool-call sockets accepted by one acceptor over
 * every agent's listening socket, each with a small bounded pool. Spawning
 * {@link #IDLE} idle agents leaves agentd's thread count where it was (the
 * design this replaced had two threads per agent, 2 × {@link #IDLE} more);
 * exits are still reaped, with their status, and tool calls still work.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IdleAgentsIT {
    static final int IDLE = 50;
    /** The bounded pools may start threads the warm-up did not need yet (exit workers, admission). */
    static final int POOL_SLACK = 8;
    static final String IDLE_LIMITS = "resources:\n  memory: 32M\n  pids: 8\n";

    Agentd agentd;
    Driver caller;
    int baseline;
    final List<String> idle = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Kernel.requireAgentd();
        agentd = Agentd.inProcess();
        // Warm-up: a tool call (connection threads, admission pool) and an exit (exit pool).
        caller = Driver.spawn(agentd, Driver.Spec.named("caller").cap("tool: echo"));
        caller.callOk("echo", Map.of("text", "warm-up"));
        String quick = agentd.spawn(Manifests.of(Manifests.name("quick"), "", List.of("/bin/true"))).path("id").asText();
        assertEquals(0, agentd.await(quick, 60).path("exit_code").asInt(-1));
        baseline = tasks();
        for (int i = 0; i < IDLE; i++) {
            idle.add(agentd.spawn(Manifests.of(Manifests.name("idle"), IDLE_LIMITS, List.of("/bin/sleep", "infinity")))
                    .path("id").asText());
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (agentd != null) {
            for (String id : idle) {
                try {
                    agentd.call("agent.kill", Map.of("id", id, "signal", 9));
                } catch (IOException e) {
                    // already ended
                }
            }
            agentd.close();
        }
    }

    @Test
    void idle_agents_add_no_threads() throws Exception {
        for (String id : idle) {
            assertEquals("running", agentd.status(id).path("state").asText(), id);
        }
        int now = tasks();
        assertTrue(now <= baseline + POOL_SLACK, "agentd's threads: " + baseline + " before " + IDLE + " idle agents, "
                + now + " with them");
    }

    @Test
    void tool_calls_still_work_with_the_idle_agents_there() throws Exception {
        assertEquals("again", Driver.text(caller.callOk("echo", Map.of("text", "again"))));
        // A fresh connection from a fresh agent, accepted by the shared acceptor.
        Driver late = Driver.spawn(agentd, Driver.Spec.named("late").cap("tool: echo"));
        assertEquals("late", Driver.text(late.callOk("echo", Map.of("text", "late"))));
        late.run(cmd("op", "exit", "code", 0));
        assertEquals(0, agentd.await(late.id, 60).path("exit_code").asInt(-1));
    }

    @Test
    void exits_are_reaped_with_their_status() throws Exception {
        String seven = agentd.spawn(Manifests.sh(Manifests.name("seven"), IDLE_LIMITS, "exit 7")).path("id").asText();
        JsonNode r = agentd.await(seven, 60);
        assertEquals("exited", r.path("state").asText(), r.toString());
        assertEquals(7, r.path("exit_code").asInt(-1), r.toString());
        // Killed ones among the idle: each recorded with its signal, its cgroup gone.
        List<String> killed = new ArrayList<>(idle.subList(0, 10));
        for (String id : killed) {
            agentd.call("agent.kill", Map.of("id", id, "signal", 9));
        }
        for (String id : killed) {
            JsonNode k = agentd.await(id, 60);
            assertEquals("exited", k.path("state").asText(), k.toString());
            assertEquals(9, k.path("exit_signal").asInt(-1), k.toString());
        }
        for (String id : killed) {
            assertTrue(CgroupDirs.agentCgroups(agentd.cgroupParent()).stream().noneMatch(p -> p.contains(id)),
                    "cgroup of " + id + " left");
        }
        idle.removeAll(killed);
    }

    static int tasks() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
            return (int) s.count();
        }
    }
}
