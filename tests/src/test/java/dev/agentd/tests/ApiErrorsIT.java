package dev.agentd.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.agentd.agentctl.AdminClient;
import dev.agentd.agentctl.LogsResult;
import dev.agentd.tests.support.AgentdHarness;
import dev.agentd.tests.support.Kernel;
import dev.agentd.tests.support.Manifests;
import dev.agentd.tests.support.Rpc;
import dev.agentd.tests.support.RpcException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin protocol against a real agentd: its errors (docs/admin-api.md),
 * restart policies, stop and kill, and logs with tail and follow.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ApiErrorsIT {
    static final String SLEEPER = "while :; do sleep 1; done";
    /** agent.stop may take grace + agentd's 10 s kill timeout; longer is a hang. */
    static final Duration STOP_BOUND = Duration.ofSeconds(16);

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

    // ---- errors -------------------------------------------------------------

    @Test
    void invalid_manifest_is_refused_with_located_errors() throws Exception {
        String yaml = """
                name: Not A Name
                command: []
                resources:
                  memory: 12Q
                colour: blue
                """;
        int before = agentd.list(true).size();
        RpcException e = assertThrows(RpcException.class, () -> agentd.spawn(yaml));
        assertEquals(-32000, e.code(), e.toString());
        JsonNode errors = e.data().path("errors");
        assertTrue(errors.isArray() && errors.size() >= 3, "one error per problem: " + e);
        for (JsonNode err : errors) {
            assertTrue(err.path("file").isTextual() && !err.path("file").asText().isEmpty(), err.toString());
            assertTrue(err.path("line").asInt() >= 1, err.toString());
            assertTrue(err.path("column").asInt() >= 1, err.toString());
            assertTrue(err.path("key").isTextual(), err.toString());
            assertFalse(err.path("message").asText().isBlank(), err.toString());
        }
        assertEquals(4, find(errors, "resources.memory").path("line").asInt(), errors.toString());
        assertEquals(11, find(errors, "resources.memory").path("column").asInt(), errors.toString());
        assertEquals(1, find(errors, "name").path("line").asInt(), errors.toString());
        assertEquals(2, find(errors, "command").path("line").asInt(), errors.toString());
        assertEquals(5, find(errors, "colour").path("line").asInt(), errors.toString());
        assertEquals(before, agentd.list(true).size(), "no record for an invalid manifest");
        agentd.audit().await(a -> "spawn.refused".equals(a.path("event").asText())
                && "manifest invalid".equals(a.path("details").path("reason").asText()), Duration.ofSeconds(5),
                "spawn.refused for the invalid manifest");
    }

    static JsonNode find(JsonNode errors, String key) {
        for (JsonNode e : errors) {
            if (e.path("key").asText().equals(key)) {
                return e;
            }
        }
        throw new AssertionError("no error for key " + key + " in " + errors);
    }

    @Test
    void unknown_method_is_method_not_found() throws Exception {
        RpcException e = assertThrows(RpcException.class, () -> agentd.call("agent.frobnicate", Map.of()));
        assertEquals(-32601, e.code(), e.toString());
        assertTrue(e.getMessage().contains("agent.frobnicate"), e.getMessage());
    }

    @Test
    void status_of_unknown_agent_is_no_such_agent() throws Exception {
        RpcException e = assertThrows(RpcException.class, () -> agentd.status("deadbeef"));
        assertEquals(-32001, e.code(), e.toString());
        assertEquals("deadbeef", e.data().path("id").asText(), e.toString());
    }

    @Test
    void missing_id_is_invalid_params() throws Exception {
        RpcException e = assertThrows(RpcException.class, () -> agentd.call("agent.status", Map.of()));
        assertEquals(-32602, e.code(), e.toString());
    }

    @Test
    void malformed_lines_are_answered_and_the_connection_survives() throws Exception {
        try (Rpc c = agentd.client()) {
            JsonNode r = c.raw("{this is not json");
            assertEquals(-32700, r.path("error").path("code").asInt(), r.toString());
            assertTrue(r.path("id").isNull(), r.toString());
            JsonNode arr = c.raw("[1, 2, 3]");
            assertEquals(-32600, arr.path("error").path("code").asInt(), arr.toString());
            JsonNode noMethod = c.raw("{\"jsonrpc\":\"2.0\",\"id\":7}");
            assertEquals(-32600, noMethod.path("error").path("code").asInt(), noMethod.toString());
            JsonNode st = c.call("daemon.status", Map.of());
            assertTrue(st.path("pid").asLong() > 0, st.toString());
            assertEquals("hybrid", st.path("kernel").path("cgroup_layout").asText(), st.toString());
        }
    }

    @Test
    void duplicate_name_of_a_running_agent_is_refused() throws Exception {
        String name = Manifests.name("dup");
        String id = agentd.spawnId(Manifests.sh(name, "", SLEEPER));
        RpcException e = assertThrows(RpcException.class, () -> agentd.spawn(Manifests.sh(name, "", SLEEPER)));
        assertEquals(-32002, e.code(), e.toString());
        assertTrue(e.getMessage().contains(id), e.getMessage());
        agentd.killAndAwait(id);
    }

    @Test
    void wait_timeout_and_stop_of_an_ended_agent_are_wrong_state() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("waited"), "", SLEEPER));
        RpcException timeout = assertThrows(RpcException.class, () -> agentd.await(id, 1));
        assertEquals(-32004, timeout.code(), timeout.toString());
        assertEquals("running", timeout.data().path("state").asText(), timeout.toString());
        agentd.killAndAwait(id);
        RpcException stopped = assertThrows(RpcException.class, () -> agentd.stop(id, 1));
        assertEquals(-32004, stopped.code(), stopped.toString());
        assertEquals("exited", stopped.data().path("state").asText(), stopped.toString());
    }

    // ---- restart policies -------------------------------------------------------

    @Test
    void on_failure_restarts_max_retries_times() throws Exception {
        JsonNode rec = agentd.run(Manifests.sh(Manifests.name("failing"),
                "restart:\n  policy: on-failure\n  max_retries: 2\n  backoff: 100ms\n", "echo run; exit 1"));
        String id = rec.get("id").asText();
        assertEquals("exited", rec.path("state").asText(), rec.toString());
        assertEquals(1, rec.path("exit_code").asInt(-1), rec.toString());
        assertEquals(2, rec.path("restarts").asInt(), rec.toString());
        assertEquals("on-failure", rec.path("restart_policy").asText(), rec.toString());
        assertEquals(2, agentd.audit().awaitEvents("restart", id, 2, Duration.ofSeconds(10)).size(), "two restart audit records");
        assertEquals(3, agentd.audit().awaitEvents("exit", id, 3, Duration.ofSeconds(10)).size(), "three runs, three exits");
        assertEquals(3, Collections.frequency(agentd.logs(id), "run"), "three runs in the log: " + agentd.logs(id));
    }

    @Test
    void on_failure_does_not_restart_a_success() throws Exception {
        JsonNode rec = agentd.run(Manifests.sh(Manifests.name("succeeding"),
                "restart:\n  policy: on-failure\n  max_retries: 2\n  backoff: 100ms\n", "exit 0"));
        assertEquals(0, rec.path("exit_code").asInt(-1), rec.toString());
        assertEquals(0, rec.path("restarts").asInt(), rec.toString());
    }

    @Test
    void always_restarts_until_stopped() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("always"),
                "restart:\n  policy: always\n  backoff: 50ms\n", "sleep 1; exit 0"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        JsonNode rec;
        while (true) {
            rec = agentd.status(id);
            if (rec.path("restarts").asInt() >= 2 && "running".equals(rec.path("state").asText())) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "not restarted twice: " + rec);
            Thread.sleep(20);
        }
        JsonNode stopped = agentd.stopBounded(id, 5, STOP_BOUND);
        assertEquals("exited", stopped.path("state").asText(), stopped.toString());
        int restarts = stopped.path("restarts").asInt();
        assertTrue(restarts >= 2, stopped.toString());
        Thread.sleep(1500); // longer than a run plus a backoff: a restart would show
        JsonNode after = agentd.status(id);
        assertEquals("exited", after.path("state").asText(), after.toString());
        assertEquals(restarts, after.path("restarts").asInt(), "no restart after the stop: " + after);
    }

    /**
     * A stop that lands between two runs (in the restart backoff) must end the agent for good, as exited,
     * and at once: the backoff (here far longer than the stop's grace) is not waited out.
     */
    @Test
    void stop_during_restart_backoff_ends_as_exited() throws Exception {
        String id = agentd.spawnId(Manifests.of(Manifests.name("backoff"),
                "restart:\n  policy: always\n  backoff: 120s\n", List.of("/bin/true")));
        agentd.audit().await("exit", id, Duration.ofSeconds(20)); // now in its 120 s backoff
        JsonNode stopped = agentd.stopBounded(id, 5, STOP_BOUND);
        JsonNode after = agentd.status(id);
        assertEquals("exited", stopped.path("state").asText(), "agent.stop's record: " + stopped);
        assertEquals("exited", after.path("state").asText(), "agent.status after the stop: " + after);
        assertTrue(agentd.list(false).stream().noneMatch(a -> a.get("id").asText().equals(id)),
                "a stopped agent is not listed as running");
    }

    // ---- stop and kill ------------------------------------------------------------

    @Test
    void stop_of_a_running_agent_returns_its_exited_record() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("stopped"), "", SLEEPER));
        JsonNode rec = agentd.stopBounded(id, 5, STOP_BOUND);
        assertEquals("exited", rec.path("state").asText(), rec.toString());
        assertEquals(15, rec.path("exit_signal").asInt(-1), "ended by SIGTERM: " + rec);
        assertTrue(rec.path("pid").isNull(), rec.toString());
        agentd.audit().await("stop", id, Duration.ofSeconds(5));
    }

    @Test
    void stop_kills_an_agent_that_ignores_sigterm_after_the_grace() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("stubborn"), "", "trap '' TERM\n" + SLEEPER + "\n"));
        JsonNode rec = agentd.stopBounded(id, 1, STOP_BOUND);
        assertEquals("exited", rec.path("state").asText(), rec.toString());
        assertEquals(9, rec.path("exit_signal").asInt(-1), "SIGKILL after the grace: " + rec);
        agentd.audit().await(a -> "kill".equals(a.path("event").asText()) && id.equals(a.path("agent").asText())
                && "grace period over".equals(a.path("details").path("reason").asText()), Duration.ofSeconds(5),
                "kill after grace");
    }

    @Test
    void kill_with_sigterm_is_delivered() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("termed"), "", SLEEPER));
        agentd.killBounded(id, 15, STOP_BOUND);
        JsonNode rec = agentd.await(id, 30);
        assertEquals(15, rec.path("exit_signal").asInt(-1), rec.toString());
    }

    /** agent.kill with SIGKILL answers with the record, however fast the agent's cleanup runs. */
    @Test
    void kill_with_sigkill_answers_with_the_record() throws Exception {
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String id = agentd.spawnId(Manifests.sh(Manifests.name("killed"), "", SLEEPER));
            try {
                JsonNode rec = agentd.kill(id, 9);
                assertEquals(id, rec.path("id").asText());
            } catch (RpcException e) {
                errors.add(e.toString());
            }
            JsonNode done = agentd.await(id, 30);
            assertEquals(9, done.path("exit_signal").asInt(-1), done.toString());
        }
        assertEquals(List.of(), errors, "agent.kill(9) errors for agents it did kill");
    }

    // ---- logs -------------------------------------------------------------------

    @Test
    void logs_tail_returns_the_last_lines() throws Exception {
        JsonNode rec = agentd.run(Manifests.sh(Manifests.name("counter"), "", "i=1; while [ $i -le 50 ]; do echo $i; i=$((i+1)); done"));
        String id = rec.get("id").asText();
        JsonNode last5 = agentd.call("agent.logs", Map.of("id", id, "tail", 5));
        assertEquals(List.of("46", "47", "48", "49", "50"), strings(last5.path("lines")));
        assertTrue(last5.path("eof").asBoolean(), last5.toString());
        assertEquals(IntStream.rangeClosed(1, 50).mapToObj(Integer::toString).toList(), agentd.logs(id));
    }

    @Test
    void logs_follow_streams_until_the_agent_exits() throws Exception {
        String id = agentd.spawnId(Manifests.sh(Manifests.name("talker"), "",
                "i=1; while [ $i -le 20 ]; do echo \"line $i\"; sleep 0.05; i=$((i+1)); done"));
        // agentctl's typed client follows the same agent at the same time.
        CompletableFuture<List<String>> viaAgentctl = CompletableFuture.supplyAsync(() -> {
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            try (AdminClient c = AdminClient.connect(agentd.socket())) {
                LogsResult r = c.follow(id, 1000, lines::add);
                assertTrue(r.eof());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
            return lines;
        });
        List<JsonNode> notes = new ArrayList<>();
        JsonNode result;
        try (Rpc c = agentd.client()) {
            result = c.call("agent.logs", Map.of("id", id, "tail", 1000, "follow", true), notes::add);
        }
        assertTrue(result.path("eof").asBoolean(), result.toString());
        assertEquals("exited", agentd.status(id).path("state").asText(), "follow ends when the agent has exited");
        List<String> lines = new ArrayList<>();
        for (JsonNode n : notes) {
            assertEquals("agent.log", n.path("method").asText(), n.toString());
            assertEquals(id, n.path("params").path("id").asText(), n.toString());
            lines.add(n.path("params").path("line").asText());
        }
        List<String> expected = IntStream.rangeClosed(1, 20).mapToObj(i -> "line " + i).toList();
        assertEquals(expected, lines);
        assertEquals(expected, viaAgentctl.get(60, TimeUnit.SECONDS));
    }

    static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(n -> out.add(n.asText()));
        return out;
    }
}
